"""Every kind of bad checkpoint and bad file name gives an error that names the problem and the fix."""
import pytest

from bad_checkpoints import BAD_FILES, BAD_NAMES
from model_loaders import (CheckpointError, ModelPathError, UnsafeCheckpointFormatError, inspect_checkpoint,
                           resolve_model_file)


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda b: b.file_name)
def test_bad_file_is_refused_with_a_clear_message(tmp_path, bad):
    path = bad.write(tmp_path)
    with pytest.raises(CheckpointError) as caught:
        resolve_model_file(bad.file_name, "diffusion_models", [str(tmp_path)])
        inspect_checkpoint(path)
    message = str(caught.value).lower()
    for part in bad.message_parts:
        assert part in message, f"{part!r} missing from: {caught.value}"
    assert bad.file_name.lower() in message  # every message names the file


@pytest.mark.parametrize("name,parts", BAD_NAMES, ids=[n for n, _ in BAD_NAMES])
def test_bad_name_is_refused_before_any_file_is_opened(tmp_path, name, parts):
    (tmp_path / "passwd").write_text("secret")
    with pytest.raises(CheckpointError) as caught:
        resolve_model_file(name, "diffusion_models", [str(tmp_path / "models")])
    for part in parts:
        assert part in str(caught.value).lower()


def test_escape_through_a_subfolder_is_refused(tmp_path):
    (tmp_path / "models" / "sub").mkdir(parents=True)
    with pytest.raises(ModelPathError):
        resolve_model_file("sub/../../outside.safetensors", "diffusion_models", [str(tmp_path / "models")])


def test_pickle_extensions_are_refused_even_when_present(tmp_path):
    for suffix in (".ckpt", ".pt", ".pth", ".bin", ".pkl"):
        (tmp_path / f"m{suffix}").write_bytes(b"\x80\x04")
        with pytest.raises(UnsafeCheckpointFormatError, match="safetensors"):
            resolve_model_file(f"m{suffix}", "diffusion_models", [str(tmp_path)])


def test_files_in_subfolders_and_symlinked_files_resolve(tmp_path):
    models, elsewhere = tmp_path / "models", tmp_path / "big_disk"
    (models / "wan").mkdir(parents=True)
    elsewhere.mkdir()
    (models / "wan" / "a.safetensors").write_bytes(b"x")
    (elsewhere / "b.safetensors").write_bytes(b"x")
    (models / "b.safetensors").symlink_to(elsewhere / "b.safetensors")
    assert resolve_model_file("wan/a.safetensors", "diffusion_models", [str(models)]) == models / "wan" / "a.safetensors"
    assert resolve_model_file("b.safetensors", "diffusion_models", [str(models)]) == models / "b.safetensors"


def test_second_root_is_searched(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir(), second.mkdir()
    (second / "m.safetensors").write_bytes(b"x")
    assert resolve_model_file("m.safetensors", "vae", [str(first), str(second)]) == second / "m.safetensors"

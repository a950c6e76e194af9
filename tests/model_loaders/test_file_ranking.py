"""Family-aware file lists (model_loaders.file_ranking): the files that fit an input first, identified from their
headers once per (path, size, mtime), bad files last and never an exception."""
import os

import pytest

from component_headers import write_component
from model_loaders import file_ranking
from model_loaders.file_ranking import file_identity, rank_files, slot_fit
from tiny_models import write_checkpoint


@pytest.fixture(autouse=True)
def empty_cache():
    file_ranking.clear_cache()
    yield
    file_ranking.clear_cache()


def listed(folder):
    return [(p.name, str(p)) for p in sorted(folder.iterdir())]


def test_vae_list_puts_the_wan_vae_before_the_flux_one(tmp_path):
    write_component("flux_vae", tmp_path)            # ae.safetensors: first by name
    write_component("wan22_vae", tmp_path)
    write_component("wan21_vae", tmp_path)
    (tmp_path / "broken.safetensors").write_bytes(b"\x00" * 5)
    order = rank_files(listed(tmp_path), slot_fit("wan", "vae"))
    # Wan 2.1 VAE (most Wan variants use it), Wan 2.2 VAE, then the FLUX VAE (kept: a user may know better), then
    # the unreadable file.
    assert order == ["wan_2.1_vae.safetensors", "wan2.2_vae.safetensors", "ae.safetensors", "broken.safetensors"]
    assert rank_files(listed(tmp_path), slot_fit("newbie", "vae"))[0] == "ae.safetensors"


def test_model_list_puts_this_family_first(tmp_path, tiny_models_dir):
    for variant, precision in (("hunyuan_video_t2v", "bf16"), ("wan21_t2v", "bf16"), ("qwen_image", "bf16")):
        path = write_checkpoint(variant, precision, tiny_models_dir)
        os.symlink(path, tmp_path / path.name)
    names = [n for n, _ in listed(tmp_path)]
    wan_first = rank_files(listed(tmp_path), slot_fit("wan", "model_name"))
    assert wan_first[0].startswith("wan2.1") and sorted(wan_first) == sorted(names)
    assert rank_files(listed(tmp_path), slot_fit("qwen_image", "model_name"))[0].startswith("qwen")


def test_text_encoder_slots_follow_their_position(tmp_path):
    for kind in ("clip_l", "llama3_8b_llava", "umt5_xxl", "byt5_small_glyph", "qwen25_7b_vl"):
        write_component(kind, tmp_path)
    first = rank_files(listed(tmp_path), slot_fit("hunyuan_video", "text_encoder"))
    second = rank_files(listed(tmp_path), slot_fit("hunyuan_video", "text_encoder_2"))
    assert set(first[:2]) == {"clip_l.safetensors", "qwen_2.5_vl_7b_fp8_scaled.safetensors"}
    assert set(second[:2]) == {"llava_llama3_fp8_scaled.safetensors", "byt5_small_glyphxl_fp16.safetensors"}
    assert rank_files(listed(tmp_path), slot_fit("wan", "text_encoder"))[0] == "umt5_xxl_fp8_e4m3fn_scaled.safetensors"


def test_headers_are_read_once_per_file_version(tmp_path, monkeypatch):
    path = write_component("umt5_xxl", tmp_path)
    reads = []
    real = file_ranking.read_safetensors_header
    monkeypatch.setattr(file_ranking, "read_safetensors_header", lambda p: reads.append(p) or real(p))
    assert file_identity(path, "text_encoders") == ("umt5_xxl", None)
    assert file_identity(path, "text_encoders") == ("umt5_xxl", None)
    assert len(reads) == 1
    write_component("clip_l", tmp_path, path.name)    # same path, new content (size and mtime change)
    assert file_identity(path, "text_encoders") == ("clip_l", None)
    assert len(reads) == 2


@pytest.mark.parametrize("content", [b"", b"\x80\x02}q\x00.", b"\xff" * 64, b"\x10\x00\x00\x00\x00\x00\x00\x00{bad"])
def test_a_bad_file_ranks_last_and_never_raises(tmp_path, content):
    (tmp_path / "a_bad.safetensors").write_bytes(content)
    write_component("clip_vision_h", tmp_path)
    assert rank_files(listed(tmp_path), slot_fit("wan", "clip_vision")) == ["clip_vision_h.safetensors",
                                                                           "a_bad.safetensors"]


def test_a_readable_file_of_an_unknown_kind_ranks_before_unreadable_ones(tmp_path):
    write_component("umt5_xxl", tmp_path, "b_unknown.safetensors", shapes={"some.weight": (4, 4)})
    (tmp_path / "a_truncated.safetensors").write_bytes(b"\x00\x01")
    write_component("gemma3_4b", tmp_path)
    assert rank_files(listed(tmp_path), slot_fit("newbie", "text_encoder")) == [
        "gemma_3_4b_it_bf16.safetensors", "b_unknown.safetensors", "a_truncated.safetensors"]


def test_every_loader_input_has_a_fit_with_a_tooltip_note():
    from model_loaders.families import FAMILY_MODULES
    for module in FAMILY_MODULES:
        spec = module.LOADER
        inputs = [s.input_id for s in spec.model_slots + spec.text_encoder_slots] + ["vae", "lora_1"]
        inputs += ["clip_vision"] if spec.clip_vision_tooltip else []
        for input_id in inputs:
            fit = slot_fit(module.FAMILY, input_id)
            assert fit.accepted, (module.FAMILY, input_id)
            assert "first" in file_ranking.order_note(fit)
    assert slot_fit("hunyuan_video", "sr_model_name").accepted == ("hunyuan_video_15_sr",)

"""Model file names from a prompt stay inside the model folders on Windows as on POSIX. Windows paths are
checked with ntpath (pure path logic), so this runs on any platform: drive letters, UNC shares, backslashes,
case-insensitive names."""
import ntpath
import posixpath

import pytest

from model_loaders import ModelPathError, resolve_model_file
from model_loaders.model_files import check_model_file_name, path_inside_root

WINDOWS_ROOTS = ["C:\\ComfyUI_windows_portable\\ComfyUI\\models\\diffusion_models",
                 "D:/AI/models/diffusion_models",           # forward slashes, as extra_model_paths.yaml often has
                 "\\\\nas\\share\\models\\diffusion_models",  # a UNC share
                 "E:\\"]                                     # a whole drive


@pytest.mark.parametrize("root", WINDOWS_ROOTS)
@pytest.mark.parametrize("name,relative", [("wan.safetensors", "wan.safetensors"),
                                           ("wan\\wan2.1_t2v.safetensors", "wan\\wan2.1_t2v.safetensors"),
                                           ("wan/wan2.1_t2v.safetensors", "wan\\wan2.1_t2v.safetensors")])
def test_windows_names_inside_the_folder_resolve_there(root, name, relative):
    check_model_file_name(name, "diffusion_models")
    assert path_inside_root(root, name, "diffusion_models", ntpath) == ntpath.join(ntpath.normpath(root), relative)


WINDOWS_ESCAPES = ["..\\wan.safetensors", "wan\\..\\..\\wan.safetensors", "..\\diffusion_models_x\\w.safetensors",
                   "C:\\Windows\\w.safetensors", "C:w.safetensors", "D:\\w.safetensors",
                   "\\\\nas\\other\\w.safetensors", "\\\\?\\C:\\w.safetensors", "\\w.safetensors",
                   "/w.safetensors"]


@pytest.mark.parametrize("name", WINDOWS_ESCAPES)
def test_windows_names_that_leave_the_folder_are_refused_by_the_name_check(name):
    with pytest.raises(ModelPathError):
        check_model_file_name(name, "diffusion_models")


@pytest.mark.parametrize("root", WINDOWS_ROOTS[:3])
@pytest.mark.parametrize("name", [n for n in WINDOWS_ESCAPES if n != "C:w.safetensors"])
def test_windows_names_that_leave_the_folder_are_refused_by_the_path_check_too(root, name):
    """The second defence on its own: even a name the first check let through cannot leave the root."""
    with pytest.raises(ModelPathError, match="resolves outside"):
        path_inside_root(root, name, "diffusion_models", ntpath)


def test_the_path_check_alone_keeps_drive_relative_and_dotted_names_inside():
    root = WINDOWS_ROOTS[0]
    # "C:w" joined to a root on C: is that root's w (the name check refuses it before this anyway).
    assert path_inside_root(root, "C:w.safetensors", "diffusion_models", ntpath) == root + "\\w.safetensors"
    assert path_inside_root(root, "wan\\old\\..\\new.safetensors", "diffusion_models", ntpath) == \
        root + "\\wan\\new.safetensors"


def test_windows_folders_compare_without_case():
    root = "C:\\ComfyUI\\Models\\Diffusion_Models"
    assert path_inside_root(root, "SUB\\..\\Wan.safetensors", "diffusion_models", ntpath) == root + "\\Wan.safetensors"
    # A sibling folder whose name starts like the root's is outside it, whatever the case.
    with pytest.raises(ModelPathError):
        path_inside_root(root, "..\\diffusion_models_other\\w.safetensors", "diffusion_models", ntpath)


@pytest.mark.parametrize("name", ["../w.safetensors", "a/../../w.safetensors", "..\\w.safetensors", "/etc/w.sft"])
def test_posix_names_that_leave_the_folder_are_refused_by_the_path_check(name):
    with pytest.raises(ModelPathError, match="resolves outside"):
        path_inside_root("/srv/comfyui/models/diffusion_models", name, "diffusion_models", posixpath)


def test_backslash_separated_names_resolve_on_this_platform(tmp_path):
    """ComfyUI on Windows lists files in subfolders with backslashes; a saved workflow carries them elsewhere."""
    (tmp_path / "wan").mkdir()
    (tmp_path / "wan" / "a.safetensors").write_bytes(b"")
    assert resolve_model_file("wan\\a.safetensors", "diffusion_models", [str(tmp_path)]) == tmp_path / "wan" / "a.safetensors"

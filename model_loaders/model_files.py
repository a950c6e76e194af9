"""Turn a model file name from a prompt into a path inside ComfyUI's model folders, safely.

Plain Python: the caller passes the folder roots (in ComfyUI, `folder_paths.get_folder_paths(kind)`).
Names from a prompt are untrusted: they never escape the roots, and only safetensors files are accepted.
"""
import os
from pathlib import Path, PurePosixPath, PureWindowsPath

from .errors import ModelFileNotFoundError, ModelPathError, UnsafeCheckpointFormatError

SAFETENSORS_SUFFIXES = (".safetensors", ".sft")
PICKLE_SUFFIXES = (".ckpt", ".pt", ".pt2", ".pth", ".bin", ".pkl", ".pickle")


def check_model_file_name(name: str, folder_kind: str) -> None:
    """Reject names that are absolute, climb out with `..`, or are not safetensors files."""
    if not isinstance(name, str) or not name.strip():
        raise ModelFileNotFoundError(f"no {folder_kind} file was chosen: pick one of the files in "
                                     f"ComfyUI's models/{folder_kind} folder")
    if "\x00" in name:
        raise ModelPathError(f"{name!r} contains a NUL byte: pick a file listed in models/{folder_kind}")
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or name.startswith(("/", "\\")):
        raise ModelPathError(f"{name!r} is an absolute path; StoryCore only opens files inside ComfyUI's "
                             f"{folder_kind} folders: copy or link the file into models/{folder_kind} and "
                             f"pick it by its name there")
    if ".." in posix.parts or ".." in windows.parts:
        raise ModelPathError(f"{name!r} climbs out of the {folder_kind} folder with '..'; StoryCore only "
                             f"opens files inside ComfyUI's {folder_kind} folders: pick a file listed there")
    suffix = posix.suffix.lower()
    if suffix in PICKLE_SUFFIXES:
        raise UnsafeCheckpointFormatError(
            f"{name!r} is a pickle-based {suffix} file; StoryCore loads only .safetensors files because "
            f"unpickling can run arbitrary code. Download the .safetensors release of this model, or "
            f"convert the file to safetensors in a trusted environment")
    if suffix not in SAFETENSORS_SUFFIXES:
        raise UnsafeCheckpointFormatError(f"{name!r} is not a .safetensors file (suffix {suffix or 'none'!r}); "
                                          f"StoryCore loads only .safetensors checkpoints")


def resolve_model_file(name: str, folder_kind: str, roots: list[str] | tuple[str, ...]) -> Path:
    """Return the path of `name` inside the first root that has it.

    The check is on the normalised, unresolved path so that users may still symlink large model files
    into their models folder from another disk (a common setup).
    """
    check_model_file_name(name, folder_kind)
    for root in roots:
        candidate = path_inside_root(root, name, folder_kind)
        if os.path.isfile(candidate):
            return Path(candidate)
    searched = ", ".join(os.path.abspath(r) for r in roots) or "(no folders configured)"
    raise ModelFileNotFoundError(f"{name!r} was not found in the {folder_kind} folders ({searched}). "
                                 f"Put the file there (or add a folder in extra_model_paths.yaml) and "
                                 f"refresh the node list")


def path_inside_root(root: str, name: str, folder_kind: str, pathmod=os.path) -> str:
    """The absolute path `name` (a relative name, `/` or `\\` separated) names under `root`; ModelPathError if it
    leaves `root`. `pathmod` is this platform's os.path; tests pass ntpath to check Windows paths (drive letters,
    UNC shares, case-insensitive names) on any platform."""
    root_abs = pathmod.abspath(root)
    candidate = pathmod.abspath(pathmod.join(root_abs, pathmod.normpath(name.replace("\\", "/"))))
    try:
        inside = pathmod.normcase(pathmod.commonpath([root_abs, candidate])) == pathmod.normcase(root_abs)
    except ValueError:  # Windows: another drive or share than the root's
        inside = False
    if not inside:
        raise ModelPathError(f"{name!r} resolves outside the {folder_kind} folder {root_abs}: pick a file "
                             f"listed in that folder")
    return candidate

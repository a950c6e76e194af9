"""Errors raised while finding and inspecting checkpoint files.

Every message names the file, what is wrong and how to fix it: these reach the user verbatim in ComfyUI.
"""
from ..routing.errors import StoryCoreError


class CheckpointError(StoryCoreError, ValueError):
    """Base class: a checkpoint file cannot be used as it is."""


class ModelPathError(CheckpointError):
    """A model file name that would leave ComfyUI's model folders (absolute path, `..`)."""


class ModelFileNotFoundError(CheckpointError):
    """The named file is not in any of the model folders."""


class UnsafeCheckpointFormatError(CheckpointError):
    """A pickle-based file (.ckpt/.pt/.pth/.bin/.pkl): loading it could run arbitrary code."""


class CorruptCheckpointError(CheckpointError):
    """The file claims to be safetensors but its header or layout is broken (truncated, bad JSON, ...)."""


class UnknownArchitectureError(CheckpointError):
    """A valid safetensors file whose tensors match none of the supported model families."""


class LoaderValidationError(CheckpointError):
    """The loader inputs cannot be used; `problems` holds one line per problem (each names a file and the fix)."""

    def __init__(self, loader: str, problems: list[str]):
        self.problems = tuple(problems)
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        super().__init__(f"The {loader} cannot run with these files ({count}):\n"
                         + "\n".join(f"- {p}" for p in problems))

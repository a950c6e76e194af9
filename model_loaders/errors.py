"""Errors raised while finding and inspecting checkpoint files.

Every message names the file, what is wrong and how to fix it: these reach the user verbatim in ComfyUI.
"""


class CheckpointError(ValueError):
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

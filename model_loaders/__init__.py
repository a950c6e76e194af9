"""Model files: header-only inspection and validation (plain Python), component detection, the memory-floor
loader and its cache, and the family packages (families/).

Importing this package must not import torch or comfy: the inspector runs anywhere.
"""
from .errors import (CheckpointError, CorruptCheckpointError, ModelFileNotFoundError, ModelPathError,
                     UnknownArchitectureError, UnsafeCheckpointFormatError)
from .inspection import CheckpointDescription, inspect_checkpoint
from .model_files import resolve_model_file
from .safetensors_header import SafetensorsHeader, TensorInfo, read_safetensors_header

__all__ = [
    "CheckpointDescription", "CheckpointError", "CorruptCheckpointError", "ModelFileNotFoundError",
    "ModelPathError", "SafetensorsHeader", "TensorInfo", "UnknownArchitectureError",
    "UnsafeCheckpointFormatError", "inspect_checkpoint", "read_safetensors_header", "resolve_model_file",
]

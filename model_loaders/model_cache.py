"""Cached diffusion-model loading: one model in memory per (file identity, precision).

Why weak references (and not a check against comfy.model_management.current_loaded_models): that list says which
models sit on the compute device, not which exist in RAM. On CPU, or after unload_all_models() moved a model off
the GPU, a live model is absent from it, yet handing out the same patcher is exactly right (ComfyUI loads it
back to the device when it samples). What must never happen is the cache keeping a model alive that ComfyUI has
let go (the /free endpoint, the execution cache evicting the loader's output): a weak reference cannot do that,
and it costs nothing. A file whose identity (device, inode, size, mtime) changed since loading is reloaded;
the model already in memory is unaffected by changes on disk because its weights were read, never mapped.
"""
from __future__ import annotations

import os
import threading
import weakref
from pathlib import Path

from .errors import ModelFileNotFoundError

_models: dict[tuple, weakref.ref] = {}
_lock = threading.Lock()


def file_identity(path) -> tuple:
    """(real path, device, inode, size, mtime_ns): changes whenever the file is replaced, rewritten or truncated."""
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        raise ModelFileNotFoundError(f"{Path(path).name}: the model file does not exist at {real}. Check the "
                                     f"name, or refresh the loader's file list") from None
    return real, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def load_diffusion_model(path, precision="auto", disable_dynamic: bool = False, *, validated=None):
    """The diffusion model in `path` as a core ComfyUI ModelPatcher, loaded at the memory floor; the same patcher
    again while it is alive and the file unchanged.

    `precision`: one of precision.PRECISION_CHOICES, decided from the file's header here. `validated`: the
    loader_validation.ValidatedModelFile of this file instead: its precision choice and header, made when the
    loader node checked the file, are used as they are while the file is unchanged since (else it is read again).
    """
    from .diffusion_loading import load_diffusion_file

    identity = file_identity(path)
    requested = validated.precision.requested if validated is not None else precision
    key = (identity, requested, bool(disable_dynamic))
    with _lock:  # one load of a 14 GB file at a time; a second caller for the same file gets the first's model
        ref = _models.get(key)
        model = ref() if ref is not None else None
        if model is not None:
            return model
        # Entries of older versions of this file, or dead ones, go: the models themselves live on if used.
        for stale in [k for k, r in _models.items() if k[0][0] == identity[0] or r() is None]:
            del _models[stale]
        header, options = _header_and_options(identity, requested, validated)
        model = load_diffusion_file(identity[0], options, disable_dynamic=disable_dynamic, header=header)
        if file_identity(path) == identity:  # changed while loading: do not cache what may mix two versions
            _models[key] = weakref.ref(model)
        return model


def _header_and_options(identity: tuple, requested: str, validated):
    """The validated header and precision while the file is the one validated; else both decided again now."""
    from .diffusion_loading import model_options_for, model_options_from_choice
    from .inspection import describe_header
    from .safetensors_header import read_safetensors_header
    if validated is not None and validated.identity == identity:
        return validated.header, model_options_from_choice(validated.precision)
    header = read_safetensors_header(identity[0])
    return header, model_options_for(describe_header(header)[0], requested)


def cached_model_count() -> int:
    """How many cached models are still alive (for status displays and tests)."""
    with _lock:
        return sum(1 for r in _models.values() if r() is not None)


def clear_cache() -> None:
    """Forget every entry (the models stay alive wherever ComfyUI still holds them)."""
    with _lock:
        _models.clear()

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


def load_diffusion_model(path, precision: str = "auto", disable_dynamic: bool = False):
    """The diffusion model in `path` as a core ComfyUI ModelPatcher, loaded at the memory floor; the same patcher
    again while it is alive and the file unchanged. `precision`: one of diffusion_loading.PRECISION_CHOICES."""
    from .diffusion_loading import load_diffusion_file, model_options_for
    from .inspection import inspect_checkpoint

    identity = file_identity(path)
    key = (identity, precision, bool(disable_dynamic))
    with _lock:  # one load of a 14 GB file at a time; a second caller for the same file gets the first's model
        ref = _models.get(key)
        model = ref() if ref is not None else None
        if model is not None:
            return model
        # Entries of older versions of this file, or dead ones, go: the models themselves live on if used.
        for stale in [k for k, r in _models.items() if k[0][0] == identity[0] or r() is None]:
            del _models[stale]
        options = model_options_for(inspect_checkpoint(identity[0]), precision)
        model = load_diffusion_file(identity[0], options, disable_dynamic=disable_dynamic)
        if file_identity(path) == identity:  # changed while loading: do not cache what may mix two versions
            _models[key] = weakref.ref(model)
        return model


def cached_model_count() -> int:
    """How many cached models are still alive (for status displays and tests)."""
    with _lock:
        return sum(1 for r in _models.values() if r() is not None)


def clear_cache() -> None:
    """Forget every entry (the models stay alive wherever ComfyUI still holds them)."""
    with _lock:
        _models.clear()

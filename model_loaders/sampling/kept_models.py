"""The router's models between prompts: the last workflow's loaded diffusion models and VAE stay alive here, as
a loader node's output would in ComfyUI's execution cache, so the next prompt for that workflow (the same files,
unchanged) reuses them (the pack's model cache only holds weak references). One workflow at a time; released when
another workflow runs, and whenever ComfyUI unloads all models: POST /free (unload_models or free_memory), ComfyUI's own
out-of-memory handling, --disable-smart-memory after each prompt, and the router's out-of-memory cleanup.

Why a wrap of comfy.model_management.unload_all_models (`release_with_comfyui`): ComfyUI has no hook for /free.
Its handler only sets queue flags; main.py's prompt worker applies them after the running prompt by calling
unload_all_models() (and, for free_memory, PromptExecutor.reset()) in the worker thread. Releasing from the
HTTP handler's thread instead is unsafe: dropping the last reference to a loaded model runs ComfyUI's
weakref.finalize(real_model, cleanup_models), which pops comfy.model_management.current_loaded_models while the
worker may be iterating it in free_memory (seen in a test: IndexError, the prompt worker thread dead). The wrap
releases first, in the thread that unloads, then calls ComfyUI's function unchanged."""
from __future__ import annotations

import functools
import threading

_lock = threading.Lock()
_kept: dict = {}  # "key" -> workflow_key(the workflow), "parts" -> {"models": ..., "vae": ...}


def _identity(path):
    from ..model_cache import file_identity
    try:
        return file_identity(path)
    except (OSError, ValueError, RuntimeError):  # gone: the key no longer matches, so nothing is reused
        return None


def workflow_key(workflow) -> tuple:
    """What the kept models depend on: the workflow's name (family, variant, file, precision, LoRAs) and each of its
    files, unchanged on disk. Not the object: ComfyUI runs a loader again when its cached output was evicted (by a
    prompt without it), and that new workflow object loads the very same models."""
    validated = getattr(workflow, "validated", None)
    files = sorted((role, str(path)) for role, path in (getattr(validated, "files", None) or {}).items())
    return workflow.name, tuple(files), tuple(_identity(path) for _, path in files)


def get(workflow, part: str):
    key = workflow_key(workflow)
    with _lock:
        if _kept.get("key") == key:
            return _kept["parts"].get(part)
        return None


def put(workflow, part: str, value) -> None:
    key = workflow_key(workflow)
    with _lock:
        if _kept.get("key") != key:
            _kept.clear()
            _kept.update(key=key, parts={})
        _kept["parts"][part] = value


def release() -> None:
    with _lock:
        parts = dict(_kept)
        _kept.clear()
    del parts  # the models die here, outside the lock (ComfyUI's finalizers run)


def release_with_comfyui() -> bool:
    """Make comfy.model_management.unload_all_models release the kept models first; once per process (False when
    already done)."""
    import comfy.model_management as mm
    original = mm.unload_all_models
    if getattr(original, "storycore_releases_kept_models", False):
        return False

    @functools.wraps(original)
    def unload_all_models(*args, **kwargs):
        release()
        return original(*args, **kwargs)
    unload_all_models.storycore_releases_kept_models = True
    mm.unload_all_models = unload_all_models
    return True

"""The router's models between prompts: the last workflow's loaded diffusion models and VAE stay alive here, as
a loader node's output would in ComfyUI's execution cache, so the next prompt for that workflow reuses them
(the pack's model cache only holds weak references). One workflow at a time; released when another workflow
runs, and after an out-of-memory attempt."""
from __future__ import annotations

import threading

_lock = threading.Lock()
_kept: dict = {}  # "workflow" -> the ModelWorkflow object, "parts" -> {"models": ..., "vae": ...}


def get(workflow, part: str):
    with _lock:
        if _kept.get("workflow") is workflow:
            return _kept["parts"].get(part)
        return None


def put(workflow, part: str, value) -> None:
    with _lock:
        if _kept.get("workflow") is not workflow:
            _kept.clear()
            _kept.update(workflow=workflow, parts={})
        _kept["parts"][part] = value


def release() -> None:
    with _lock:
        _kept.clear()

"""Device memory through ComfyUI's own functions: what is free before an attempt, and freeing it after an attempt
ran out of it, before the next candidate runs."""
from __future__ import annotations

import gc


def free_after_out_of_memory(attempt=None) -> None:
    import comfy.model_management as mm

    from . import kept_models
    kept_models.release()  # the failed workflow's models must not outlive the attempt
    mm.unload_all_models()
    gc.collect()
    mm.soft_empty_cache(True)


def free_device_memory() -> int:
    import comfy.model_management as mm
    return int(mm.get_free_memory(mm.get_torch_device()))

"""Load progress on ComfyUI's progress bar (bytes read) and ComfyUI's interrupt between pieces.

Only when ComfyUI is importable: the weights reader also runs without it (plain tests, benchmarks), and then
reports nothing. comfy is imported inside the function: `model_loaders` must stay importable without it.
"""
from __future__ import annotations


def comfyui_load_progress(total_bytes: int):
    """A progress callable for WeightsFile (bytes read so far -> None), or None without ComfyUI.

    Each call first raises ComfyUI's InterruptProcessingException if the user pressed Cancel (0.33 makes it a
    BaseException: nothing on the way may catch it), then moves the running node's progress bar to the bytes
    read. The bar is created here, inside the node's execution, so ComfyUI sends it to that node."""
    try:
        import comfy.model_management
        import comfy.utils
    except ImportError:
        return None
    bar = comfy.utils.ProgressBar(max(1, total_bytes))
    check_interrupt = comfy.model_management.throw_exception_if_processing_interrupted

    def progress(bytes_read: int) -> None:
        check_interrupt()
        bar.update_absolute(bytes_read)

    return progress

"""Where the ComfyUI tier finds ComfyUI.

`COMFYUI_PATH` wins; otherwise the conventional developer checkout `~/ComfyUI` is used when it exists.
Without either, every ComfyUI-tier test is skipped with `SKIP_REASON`.
"""
import os
from pathlib import Path

CONVENTIONAL_CHECKOUT = Path.home() / "ComfyUI"


def find_comfyui() -> Path | None:
    configured = os.environ.get("COMFYUI_PATH")
    candidate = Path(configured).expanduser() if configured else CONVENTIONAL_CHECKOUT
    if (candidate / "main.py").is_file() and (candidate / "comfy").is_dir():
        return candidate.resolve()
    return None


def skip_reason() -> str:
    configured = os.environ.get("COMFYUI_PATH")
    if configured:
        return f"COMFYUI_PATH={configured!r} is not a ComfyUI checkout (no main.py and comfy/ there)"
    return (f"ComfyUI not found: set COMFYUI_PATH to a ComfyUI checkout "
            f"(or put one at {CONVENTIONAL_CHECKOUT}) to run the ComfyUI tier")

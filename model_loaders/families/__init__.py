"""One module per supported model family. Each exposes FAMILY, DISPLAY_NAME, VARIANTS and
`detect(layout, file_name) -> FamilyMatch | None`.

The order is ComfyUI's detection order (comfy/model_detection.py tests HunyuanVideo, then Lumina 2,
then Wan, then Qwen-Image), so a file is classified as ComfyUI would classify it.
"""
from . import hunyuan_video, newbie, qwen_image, wan

FAMILY_MODULES = (hunyuan_video, newbie, wan, qwen_image)
FAMILIES = {module.FAMILY: module for module in FAMILY_MODULES}

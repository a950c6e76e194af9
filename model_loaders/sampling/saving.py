"""Write a result to ComfyUI's output folder with ComfyUI's own save helpers, in the UI shape its save nodes
use: {"images": [{filename, subfolder, type}]}, plus "animated" for a video (one animated WebP)."""
from __future__ import annotations

from comfy_api.latest import ui

VIDEO_FPS = {"wan": 16.0, "hunyuan_video": 24.0}


def save_result(images, filename_prefix: str, *, video: bool, family: str, node_class=None) -> dict:
    if video and images.shape[0] > 1:
        saved = ui.ImageSaveHelper.get_save_animated_webp_ui(
            images, filename_prefix=filename_prefix, cls=node_class, fps=VIDEO_FPS.get(family, 16.0),
            lossless=False, quality=90, method=4)
    else:
        saved = ui.ImageSaveHelper.get_save_images_ui(images, filename_prefix=filename_prefix, cls=node_class)
    return saved.as_dict()

"""Write a result to ComfyUI's output folder with ComfyUI's own save helpers, in the UI shape its save nodes
use: {"images": [{filename, subfolder, type}]}, plus "animated" for a video (one animated WebP); RGBA where an
alpha is given."""
from __future__ import annotations

from comfy_api.latest import ui

VIDEO_FPS = {"wan": 16.0, "hunyuan_video": 24.0}


def with_alpha(images, alpha):
    """RGB images [B,H,W,3] and their alpha [B,H,W] as RGBA [B,H,W,4] (what the save helpers write as RGBA)."""
    import torch
    return torch.cat([images[..., :3], alpha.to(images.dtype).unsqueeze(-1)], dim=-1)


def save_result(images, filename_prefix: str, *, video: bool, family: str, node_class=None, alpha=None) -> dict:
    """Save RGB images, or RGBA where `alpha` ([B,H,W], 1 = opaque) is given: PNGs, or an animated WebP (with an
    alpha: lossless, quality 80, as the Wan-Alpha template's SaveAnimatedWEBP writes it)."""
    if alpha is not None:
        images = with_alpha(images, alpha)
    if video and images.shape[0] > 1:
        saved = ui.ImageSaveHelper.get_save_animated_webp_ui(
            images, filename_prefix=filename_prefix, cls=node_class, fps=VIDEO_FPS.get(family, 16.0),
            lossless=alpha is not None, quality=80 if alpha is not None else 90, method=4)
    else:
        saved = ui.ImageSaveHelper.get_save_images_ui(images, filename_prefix=filename_prefix, cls=node_class)
    return saved.as_dict()

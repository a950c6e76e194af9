"""The router's MASK output, per capability, always frames x H x W like its images:
- a capability whose `mask` input selects the region to regenerate (video_inpainting): that mask as the recipe
  used it, fitted to the output the way WanVaceToVideo fits its control masks (bilinear, centre crop, the first
  `frames` masks, padded with 1 = regenerated);
- a recipe that makes alpha (layered_generation): its alpha, given by the recipe;
- every other capability: ones (opaque, nothing kept from an input)."""
from __future__ import annotations

REGION_MASK_CAPABILITIES = frozenset({"video_inpainting"})


def fitted_mask(mask, images):
    """`mask` ([F, H, W] or [H, W]) as `images`' frames x H x W."""
    import torch

    import comfy.utils
    frames, height, width = images.shape[:3]
    m = mask.reshape((-1,) + tuple(mask.shape[-2:]))[:frames].unsqueeze(1).float()
    m = comfy.utils.common_upscale(m, width, height, "bilinear", "center").squeeze(1)
    if m.shape[0] < frames:
        m = torch.cat([m, torch.ones((frames - m.shape[0], height, width), dtype=m.dtype)])
    return m.clamp(0.0, 1.0)


def output_mask(capability, given_mask, images):
    """The MASK output for a result without alpha of its own."""
    import torch
    if str(capability) in REGION_MASK_CAPABILITIES and given_mask is not None:
        return fitted_mask(given_mask, images)
    return torch.ones(images.shape[:3], dtype=torch.float32)

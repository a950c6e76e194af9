"""HunyuanVideo: the official ComfyUI templates' sampling values per variant, and the quality priors (plain data).

Keys are the variant ids of DECLARATIONS; "variant/capability" holds only what that capability's template changes
(shared/reference/comfyui-recipes.md §1, comfyui-families.md §4.2).
"""
_EULER = dict(sampler="euler", scheduler="simple")
# 1.0 runs cfg 1 with FluxGuidance 6 (distilled guidance), not real cfg.
_V10_I2V = dict(shift=7, steps=20, cfg=1, width=848, height=480, frames=53, guidance=6.0, **_EULER)
_SR = dict(shift=2, steps=8, cfg=1, width=1920, height=1088, frames=121, expert_split_step=4, **_EULER)

TEMPLATE_DEFAULTS = {
    "hunyuan_video_t2v": dict(shift=7, steps=20, cfg=1, width=848, height=480, frames=73, guidance=6.0, **_EULER),
    "hunyuan_video_i2v_concat": dict(_V10_I2V),
    "hunyuan_video_i2v_replace": dict(_V10_I2V),
    "hunyuan_video_skyreels_i2v": dict(_V10_I2V),  # no SkyReels template in the reference: the 1.0 I2V values
    "hunyuan_video_15": dict(shift=7, steps=20, cfg=6, width=1280, height=720, frames=121, **_EULER),
    # The distilled 1080p SR stage: 8 steps split at 4 (SplitSigmas: pass 2 takes over), cfg 1, shift 2; the output
    # size, 1080 rounded up to the 16-pixel grid.
    "hunyuan_video_15_sr": dict(_SR),
    "hunyuan_video_15/super_resolution": dict(_SR),
}
# The SR template's other values: HunyuanVideo15SuperResolution's noise augmentation and the latent upsampler's
# resize before its model (HunyuanVideo15LatentUpscaleWithModel).
SR_NOISE_AUGMENTATION = 0.7
SR_UPSCALE_METHOD = "bilinear"

# Judgements, not measurements: the router multiplies them by the measured success rate.
QUALITY_PRIORS = {"text_to_video": 0.85, "image_to_video": 0.82, "super_resolution": 0.85}

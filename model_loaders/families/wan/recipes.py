"""Wan sampling recipes for the StoryCore router: the official ComfyUI templates' graphs, run in process through
ComfyUI's own nodes (EmptyHunyuanLatentVideo (also for a single frame: text_to_image), Wan22ImageToVideoLatent, WanImageToVideo, CLIPVisionEncode,
ModelSamplingSD3) and samplers. The numbers (steps, cfg, shift, size, frames, expert split) come from the routing
config's templates, never from here. Imported only when sampling (imports torch and comfy)."""
from __future__ import annotations

from .keys import TEXT_DIM

SHIFT_NODE = "sd3"
TI2V_5B = "wan22_ti2v_5b"


def context_width(workflow) -> int:
    """UMT5-XXL conditioning width: a constructor constant of every Wan model."""
    return TEXT_DIM


def _latent(job, start_image=None) -> dict:
    s = job.settings
    if job.workflow.variant == TI2V_5B:  # 48 channels, 16x: the Wan 2.2 VAE writes the start image into the latent
        return job.node("Wan22ImageToVideoLatent", vae=job.vae(), width=s.width, height=s.height, length=s.frames,
                        batch_size=1, start_image=start_image)[0]
    return job.node("EmptyHunyuanLatentVideo", width=s.width, height=s.height, length=s.frames, batch_size=1)[0]


def _sample(job, positive, negative, latent) -> dict:
    """One model (KSampler), or Wan 2.2 A14B: the high-noise expert then the low-noise expert on one schedule
    (the template's two KSamplerAdvanced), both with the template's shift."""
    models = job.models()
    if "high_noise" not in models:
        return job.sample(job.shifted(models["model"]), positive, negative, latent)
    s = job.settings
    split = s.expert_split_step if s.expert_split_step is not None else s.steps // 2
    high, low = job.shifted(models["high_noise"]), job.shifted(models["low_noise"])
    latent = job.sample(high, positive, negative, latent, start_step=0, last_step=split,
                        add_noise=True, return_leftover_noise=True, label="high_noise")
    return job.sample(low, positive, negative, latent, start_step=split, last_step=10000, add_noise=False,
                      label="low_noise")


def text_to_video(job):
    positive, negative = job.conditioning()
    return job.finish(_sample(job, positive, negative, _latent(job)))


def image_to_video(job):
    s, image = job.settings, job.inputs.image
    positive, negative = job.conditioning()
    if job.workflow.variant == TI2V_5B:
        latent = _latent(job, start_image=image)
    else:  # Wan 2.1 I2V (with CLIP vision), Wan 2.2 A14B I2V (image by channel concat only)
        clip_vision = job.clip_vision()
        vision = None
        if clip_vision is not None:
            (vision,) = job.node("CLIPVisionEncode", clip_vision=clip_vision, image=image, crop="none")
        positive, negative, latent = job.node(
            "WanImageToVideo", positive=positive, negative=negative, vae=job.vae(), width=s.width, height=s.height,
            length=s.frames, batch_size=1, start_image=image, clip_vision_output=vision)
    return job.finish(_sample(job, positive, negative, latent))


def video_inpainting(job):
    """Wan 2.1 VACE, masked (the official VACE inpainting template): `video` frames + `mask` (white = regenerate)
    through WanVaceToVideo(control_video, control_masks, reference_image?) at the template's strength 1, sampled,
    then TrimVideoLatent drops the reference frame's latent."""
    from ...sampling.routing_types import InvalidRequestError
    if job.inputs.mask is None:
        raise InvalidRequestError(f"{job.workflow.name}: video_inpainting with Wan VACE needs a mask (white = the "
                                  f"region to regenerate): wire one to the router's mask input")
    s = job.settings
    positive, negative = job.conditioning()
    positive, negative, latent, trim = job.node(
        "WanVaceToVideo", positive=positive, negative=negative, vae=job.vae(), width=s.width, height=s.height,
        length=s.frames, batch_size=1, strength=1.0, control_video=job.inputs.video,
        control_masks=job.inputs.mask, reference_image=job.inputs.reference_image)
    sampled = job.sample(job.shifted(job.models()["model"]), positive, negative, latent)
    (trimmed,) = job.node("TrimVideoLatent", stage="decode", samples=sampled, trim_amount=trim)
    return job.finish(trimmed)


# text_to_image: the video recipe on a one-frame request (Wan renders a single frame; it is saved as an image).
RECIPES = {"text_to_video": text_to_video, "image_to_video": image_to_video, "text_to_image": text_to_video,
           "video_inpainting": video_inpainting}

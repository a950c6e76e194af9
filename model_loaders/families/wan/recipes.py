"""Wan sampling recipes for the StoryCore router: the official ComfyUI templates' graphs, run in process through
ComfyUI's own nodes (EmptyHunyuanLatentVideo (also for a single frame: text_to_image), Wan22ImageToVideoLatent,
WanImageToVideo, WanFunInpaintToVideo and WanFirstLastFrameToVideo (image_to_video with an end_image),
CLIPVisionEncode, WanVaceToVideo, TrimVideoLatent, ModelSamplingSD3, VAEDecode, ImageToMask) and
samplers. The numbers (steps, cfg, shift, size, frames, expert split) come from the routing config's templates,
never from here. Imported only when sampling (imports torch and comfy)."""
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
    end_image_unused(job)
    positive, negative = job.conditioning()
    return job.finish(_sample(job, positive, negative, _latent(job)))


# Variants whose image_to_video takes an end_image (first/last-frame in-betweening) and the node each uses.
END_FRAME_NODES = {"wan22_a14b_i2v": "WanFunInpaintToVideo", "wan21_i2v": "WanFirstLastFrameToVideo"}


def end_image_unused(job) -> None:
    """The report's note when an end_image is wired but this recipe has no use for it."""
    if job.inputs.end_image is not None:
        job.notes.append(f"end_image: not used by {job.workflow.name} ({job.request.capability}); first/last-frame "
                         f"in-betweening is image_to_video with Wan 2.1 I2V (FLF2V) or Wan 2.2 A14B I2V / "
                         f"Fun-Inpaint")


def _clip_vision_encode(job, clip_vision, image):
    if clip_vision is None or image is None:
        return None
    return job.node("CLIPVisionEncode", clip_vision=clip_vision, image=image, crop="none")[0]


def _first_last_frame(job, positive, negative, image, end_image):
    """(positive, negative, latent) of the in-betweening templates: Wan 2.2 A14B Fun-Inpaint through
    WanFunInpaintToVideo (image by channel concat only), Wan 2.1 FLF2V through WanFirstLastFrameToVideo with both
    images' CLIP-vision states where the workflow has CLIP vision."""
    s = job.settings
    size = dict(positive=positive, negative=negative, vae=job.vae(), width=s.width, height=s.height,
                length=s.frames, batch_size=1, start_image=image, end_image=end_image)
    if END_FRAME_NODES[job.workflow.variant] == "WanFunInpaintToVideo":
        return job.node("WanFunInpaintToVideo", **size)
    clip_vision = job.clip_vision()
    return job.node("WanFirstLastFrameToVideo", **size,
                    clip_vision_start_image=_clip_vision_encode(job, clip_vision, image),
                    clip_vision_end_image=_clip_vision_encode(job, clip_vision, end_image))


def image_to_video(job):
    """From the `image` input; with an `end_image` too, first/last-frame in-betweening on the variants of
    END_FRAME_NODES (the others note that it was not used)."""
    s, image, end_image = job.settings, job.inputs.image, job.inputs.end_image  # routing requires the image
    positive, negative = job.conditioning()
    if end_image is not None and job.workflow.variant in END_FRAME_NODES:
        positive, negative, latent = _first_last_frame(job, positive, negative, image, end_image)
    elif job.workflow.variant == TI2V_5B:
        end_image_unused(job)
        latent = _latent(job, start_image=image)
    else:  # Wan 2.1 I2V (with CLIP vision), Wan 2.2 A14B I2V (image by channel concat only)
        end_image_unused(job)
        positive, negative, latent = job.node(
            "WanImageToVideo", positive=positive, negative=negative, vae=job.vae(), width=s.width, height=s.height,
            length=s.frames, batch_size=1, start_image=image,
            clip_vision_output=_clip_vision_encode(job, job.clip_vision(), image))
    return job.finish(_sample(job, positive, negative, latent))


def video_inpainting(job):
    """Wan 2.1 VACE, masked (the official VACE inpainting template): `video` frames + `mask` (white = regenerate)
    through WanVaceToVideo(control_video, control_masks, reference_image?) at the template's strength 1, sampled,
    then TrimVideoLatent drops the reference frame's latent."""
    from ...sampling.routing_types import InvalidRequestError
    if job.inputs.mask is None:
        raise InvalidRequestError(f"{job.workflow.name}: video_inpainting with Wan VACE needs a mask (white = the "
                                  f"region to regenerate): wire one to the router's mask input")
    end_image_unused(job)
    s = job.settings
    positive, negative = job.conditioning()
    positive, negative, latent, trim = job.node(
        "WanVaceToVideo", positive=positive, negative=negative, vae=job.vae(), width=s.width, height=s.height,
        length=s.frames, batch_size=1, strength=1.0, control_video=job.inputs.video,
        control_masks=job.inputs.mask, reference_image=job.inputs.reference_image)
    sampled = job.sample(job.shifted(job.models()["model"]), positive, negative, latent)
    (trimmed,) = job.node("TrimVideoLatent", stage="decode", samples=sampled, trim_amount=trim)
    return job.finish(trimmed)


TRANSPARENT_EXAMPLE = "The background of this video is transparent."


def alpha_notes(prompt: str, conditioning_given: bool, vae_name: str) -> list[str]:
    """What the report says about an alpha_video request: a prompt that does not describe a transparent background
    (it is used as given, never rewritten), and an RGB VAE that is not Wan-Alpha's RGB-channel VAE."""
    from .declarations import RGB_VAE_FILE
    notes = []
    if "transparent" not in prompt.lower():
        notes.append(f"alpha_video: the prompt does not describe a transparent background; Wan-Alpha was trained on "
                     f"prompts that do (e.g. end it with {TRANSPARENT_EXAMPLE!r}). It is used as given"
                     + ("; the given CONDITIONING is used as it is, so its text should say so too"
                        if conditioning_given else ""))
    if "rgb" not in vae_name.lower():
        notes.append(f"alpha_video: the colour is decoded with {vae_name}; Wan-Alpha's template decodes it with "
                     f"{RGB_VAE_FILE} (give it as vae)")
    return notes


def alpha_video(job):
    """Wan-Alpha (the video_wan2.1_alpha_t2v_14B template): Wan 2.1 T2V with the RGBA LoRA (applied with the
    workflow's LoRAs), the template's shift, one sampled latent decoded twice with ComfyUI's VAEDecode: by the
    workflow's VAE (RGB channel) and by the alpha_vae companion; the alpha is the red channel of the alpha decode
    (ImageToMask red; the template's InvertMask -> JoinImageWithAlpha nets the same). Outputs the RGB frames + the
    alpha as mask, saved as an RGBA animated WebP. One progress bar: the steps, then one unit per decode."""
    job.notes.extend(alpha_notes(job.request.prompt, job.inputs.positive is not None,
                                 job.workflow.validated.files["vae"].name))
    job.progress.total = job.settings.steps + 2  # sampling, the RGB decode, the alpha decode
    positive, negative = job.conditioning()
    sampled = _sample(job, positive, negative, _latent(job))
    rgb = job.decode(sampled)
    job.progress.advance_to(job.settings.steps + 1)
    decoded_alpha = job.decode(sampled, vae=job.companion("alpha_vae"))
    (alpha,) = job.node("ImageToMask", stage="decode", image=decoded_alpha, channel="red")
    return job.save(rgb, sampled, mask=alpha)


# text_to_image: the video recipe on a one-frame request (Wan renders a single frame; it is saved as an image).
RECIPES = {"text_to_video": text_to_video, "image_to_video": image_to_video, "text_to_image": text_to_video,
           "video_inpainting": video_inpainting, "alpha_video": alpha_video}

"""HunyuanVideo sampling recipes for the StoryCore router: the official templates' graphs through ComfyUI's own
nodes (EmptyHunyuanLatentVideo + FluxGuidance for 1.0, TextEncodeHunyuanVideo_ImageToVideo +
HunyuanImageToVideo concat / replace, EmptyHunyuanVideo15Latent, HunyuanVideo15ImageToVideo with CLIPVisionEncode)
and samplers, with the numbers from the routing config's templates. Imported only when sampling."""
from __future__ import annotations

from .super_resolution import super_resolution

from ...sampling.comfy_nodes import run_node  # the encoder runs inside job.conditioning's timed stage

SHIFT_NODE = "sd3"
V15 = "hunyuan_video_15"
GUIDANCE_TYPES = {"hunyuan_video_i2v_concat": "v1 (concat)", "hunyuan_video_i2v_replace": "v2 (replace)",
                  "hunyuan_video_skyreels_i2v": "v1 (concat)"}
IMAGE_PROMPT_VARIANTS = ("hunyuan_video_i2v_concat", "hunyuan_video_i2v_replace")
IMAGE_INTERLEAVE = 2  # TextEncodeHunyuanVideo_ImageToVideo's default (no official 1.0 I2V template sets another)


def context_width(workflow) -> int:
    """The text width the model was built for (1.0: llava-llama3 4096; 1.5: Qwen2.5-VL 3584), from its header."""
    return int(workflow.validated.models["model"].architecture["context_dim"])


def _guided(job, positive):
    """1.0 is guidance-distilled: the template sets FluxGuidance on the positive and samples at cfg 1."""
    if job.workflow.variant == V15 or job.settings.guidance is None:
        return positive
    return job.node("FluxGuidance", conditioning=positive, guidance=job.settings.guidance)[0]


def _finish(job, positive, negative, latent):
    model = job.shifted(job.models()["model"])
    return job.finish(job.sample(model, _guided(job, positive), negative, latent))


def text_to_video(job):
    s = job.settings
    positive, negative = job.conditioning()
    empty = "EmptyHunyuanVideo15Latent" if job.workflow.variant == V15 else "EmptyHunyuanLatentVideo"
    (latent,) = job.node(empty, width=s.width, height=s.height, length=s.frames, batch_size=1)
    return _finish(job, positive, negative, latent)


def _image_prompt_encoder(job, image):
    """HunyuanVideo 1.0 I2V with a prompt: ComfyUI's TextEncodeHunyuanVideo_ImageToVideo (the LLaVA text encoder
    reads the start image through llava_llama3_vision; CLIPVisionEncode crop "center" and image_interleave 2,
    the nodes' defaults, as no official 1.0 I2V template exists). None (CLIPTextEncode) where no vision tower is wired, for
    SkyReels (plain text encoding) and when CONDITIONING is given (nothing is encoded, nothing more loads)."""
    if job.inputs.positive is not None or job.workflow.variant not in IMAGE_PROMPT_VARIANTS:
        return None
    clip_vision = job.clip_vision()
    if clip_vision is None:
        job.notes.append("no llava_llama3_vision wired to the loader's clip_vision: the prompt is encoded as text "
                         "only (CLIPTextEncode); wire it for the official image + text prompt encoding")
        return None
    (vision,) = job.node("CLIPVisionEncode", clip_vision=clip_vision, image=image, crop="center")

    def encode(clip, text):
        return run_node("TextEncodeHunyuanVideo_ImageToVideo", clip=clip, clip_vision_output=vision, prompt=text,
                        image_interleave=IMAGE_INTERLEAVE)[0]
    return encode


def image_to_video(job):
    s, image = job.settings, job.inputs.image
    encode = None if job.workflow.variant == V15 else _image_prompt_encoder(job, image)
    positive, negative = job.conditioning(encode=encode)
    if job.workflow.variant == V15:
        clip_vision = job.clip_vision()
        vision = None
        if clip_vision is not None:
            (vision,) = job.node("CLIPVisionEncode", clip_vision=clip_vision, image=image, crop="center")
        positive, negative, latent = job.node(
            "HunyuanVideo15ImageToVideo", positive=positive, negative=negative, vae=job.vae(), width=s.width,
            height=s.height, length=s.frames, batch_size=1, start_image=image, clip_vision_output=vision)
    else:
        positive, latent = job.node(
            "HunyuanImageToVideo", positive=positive, vae=job.vae(), width=s.width, height=s.height,
            length=s.frames, batch_size=1, guidance_type=GUIDANCE_TYPES[job.workflow.variant], start_image=image)
    return _finish(job, positive, negative, latent)


RECIPES = {"text_to_video": text_to_video, "image_to_video": image_to_video, "super_resolution": super_resolution}

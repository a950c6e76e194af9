"""Qwen-Image image super-resolution for the StoryCore router: the official "model upscale + low-denoise refine"
pattern (comfyui-recipes §1.10, utility_z_image_turbo_2k_upscaler) with the Qwen-Image text-to-image model, through
ComfyUI's own nodes:

ImageScaleToTotalPixels (lanczos, 1 MP: only an input above 1 MP, which the template bounds before the model) ->
ImageUpscaleWithModel (the upscale_model companion, an ESRGAN-type file loaded by UpscaleModelLoader) -> ImageScale
(lanczos) to the settings' size (the input's x upscale_factor, rounded to 16) -> VAEEncode -> the model with its
AuraFlow shift, sampled at the template's denoise (0.33) -> VAEDecode. Imported only when sampling."""
from __future__ import annotations

TEMPLATE_MEGAPIXELS = 1.0
RESIZE_METHOD = "lanczos"


def super_resolution(job):
    """Upscale `image` (each image of the batch) to the settings' size and refine it."""
    s = job.settings
    image = job.inputs.image[..., :3]
    positive, negative = job.conditioning()
    height, width = image.shape[1:3]
    if width * height > TEMPLATE_MEGAPIXELS * 1024 * 1024:
        (image,) = job.node("ImageScaleToTotalPixels", stage="upscale", image=image, upscale_method=RESIZE_METHOD,
                            megapixels=TEMPLATE_MEGAPIXELS, resolution_steps=1)
        job.notes.append(f"the {width}x{height} input was scaled to 1 MP before the upscale model (as the template "
                         f"does)")
    model = job.companion("upscale_model")
    (upscaled,) = job.node("ImageUpscaleWithModel", stage="upscale", upscale_model=model, image=image)
    (resized,) = job.node("ImageScale", stage="upscale", image=upscaled, upscale_method=RESIZE_METHOD,
                          width=s.width, height=s.height, crop="disabled")
    (latent,) = job.node("VAEEncode", pixels=resized, vae=job.vae())
    return job.finish(job.sample(job.shifted(job.models()["model"]), positive, negative, latent))

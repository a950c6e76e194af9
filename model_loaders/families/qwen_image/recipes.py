"""Qwen-Image sampling recipes for the StoryCore router: the official templates' graphs (text-to-image, Edit /
Edit-2509 / Edit-2511, Layered) through ComfyUI's own nodes, numbers from the routing config. Imported only when
sampling."""
from __future__ import annotations

from ...sampling.comfy_nodes import run_node  # encoders run inside job.conditioning's timed stage
from .upscale_refine import super_resolution

SHIFT_NODE = "auraflow"
EDIT = "qwen_image_edit"           # TextEncodeQwenImageEdit: one image
INDEX_TIMESTEP_ZERO = "qwen_image_edit_2511"
MAX_EDIT_IMAGES = 3                # TextEncodeQwenImageEditPlus: image1..image3


def context_width(workflow) -> int:
    """Qwen2.5-VL-7B width (3584), from the model's header."""
    return int(workflow.validated.models["model"].architecture["context_dim"])


def text_to_image(job):
    s = job.settings
    positive, negative = job.conditioning()
    (latent,) = job.node("EmptySD3LatentImage", width=s.width, height=s.height, batch_size=1)
    model = job.shifted(job.models()["model"])
    return job.finish(job.sample(model, positive, negative, latent))


def _scaled(job, image):
    """The image at the settings' size (ImageScale, lanczos, centre crop): the templates edit at about 1 MP."""
    s = job.settings
    return job.node("ImageScale", image=image, upscale_method="lanczos", width=s.width, height=s.height,
                    crop="center")[0]


def edit_images(job, references: bool = True) -> list:
    """`image` first, then each frame of `reference_image` (Edit-2509 / 2511 take up to three in all)."""
    images = [job.inputs.image[:1]]
    refs = job.inputs.reference_image if references else None
    if refs is not None and job.workflow.variant != EDIT:
        images += [refs[i:i + 1] for i in range(refs.shape[0])]
    if len(images) > MAX_EDIT_IMAGES:
        job.notes.append(f"{len(images)} images given; {job.workflow.variant} takes {MAX_EDIT_IMAGES}: the first "
                         f"{MAX_EDIT_IMAGES} are used")
    elif refs is not None and job.workflow.variant == EDIT:
        job.notes.append("reference_image is not used: Qwen-Image-Edit takes one image (Edit-2509 / 2511 take more)")
    return [_scaled(job, i) for i in images[:MAX_EDIT_IMAGES]]


def _edit_conditioning(job, images, vae, prompt=None):
    """(positive, negative) with the images as reference latents. From the prompt: TextEncodeQwenImageEdit (Edit)
    or TextEncodeQwenImageEditPlus (2509 / 2511) on both, as the templates wire them. With given CONDITIONING
    (no text encoder runs, so no vision tokens): ReferenceLatent of each encoded image on both."""
    if job.inputs.positive is None:
        if job.workflow.variant == EDIT:
            def encode(clip, text):
                return run_node("TextEncodeQwenImageEdit", clip=clip, prompt=text, vae=vae, image=images[0])[0]
        else:
            def encode(clip, text):
                slots = {f"image{n}": image for n, image in enumerate(images, 1)}
                return run_node("TextEncodeQwenImageEditPlus", clip=clip, prompt=text, vae=vae, **slots)[0]
        positive, negative = job.conditioning(positive_text=prompt, encode=encode)
    else:
        positive, negative = job.conditioning()
        for image in images:
            (latent,) = job.node("VAEEncode", pixels=image, vae=vae)
            (positive,) = job.node("ReferenceLatent", conditioning=positive, latent=latent)
            (negative,) = job.node("ReferenceLatent", conditioning=negative, latent=latent)
    if job.workflow.variant == INDEX_TIMESTEP_ZERO:
        positive, negative = (job.node("FluxKontextMultiReferenceLatentMethod", conditioning=c,
                                       reference_latents_method="index_timestep_zero")[0]
                              for c in (positive, negative))
    return positive, negative


def edit_model(job):
    """The model with the template's AuraFlow shift and CFGNorm(1) (strength only: 0.8 has no pre_cfg input)."""
    return job.node("CFGNorm", stage="sample", model=job.shifted(job.models()["model"]), strength=1.0)[0]


def image_editing(job, prompt=None, references=True):
    """Edit `image` (with up to two `reference_image`s on 2509 / 2511): the image's latent is sampled with the
    templates' conditioning; `prompt` replaces the request's prompt (relighting's), `references=False` leaves the
    reference images out."""
    vae = job.vae()
    images = edit_images(job, references)
    positive, negative = _edit_conditioning(job, images, vae, prompt)
    (latent,) = job.node("VAEEncode", pixels=images[0], vae=vae)
    return job.finish(job.sample(edit_model(job), positive, negative, latent))


def image_relighting(job):
    """Qwen-Image-Edit-2509 with a relight LoRA attached (the router checked one is): with a `reference_image` and
    the Light-Migration LoRA, its template prompt (relight image 1 with the light of image 2, then the user's
    prompt); else the Relight LoRA's trigger words before the prompt. Then the editing graph."""
    attached = job.workflow.capability_loras("image_relighting")
    with_reference = job.inputs.reference_image is not None
    lora = next((l for l in attached if l.needs_reference == with_reference), attached[0])
    if with_reference and not lora.needs_reference:
        job.notes.append("reference_image is not used for relighting: the attached Relight LoRA relights from the "
                         "prompt (the Light-Migration LoRA uses a reference)")
    if lora.prompt:
        prompt = lora.prompt + ("\n" + job.request.prompt if job.request.prompt.strip() else "")
    else:
        prompt = lora.prompt_prefix + job.request.prompt
    if job.inputs.positive is None:
        job.notes.append(f"relighting prompt ({lora.example_file}): {prompt!r}")
    else:
        job.notes.append(f"relighting with {lora.example_file}: the given CONDITIONING is used as it is (its "
                         f"text should carry the trigger words {lora.prompt_prefix or lora.prompt!r})")
    return image_editing(job, prompt=prompt, references=with_reference and lora.needs_reference)


def layered_generation(job):
    """Qwen-Image-Layered: `image` as ReferenceLatent on both conditionings, an EmptyQwenImageLayeredLatentImage of
    layers + 1 frames, sampled; frame 0 (the regenerated original) is dropped (LatentCut), every layer decoded
    (LatentCutToBatch, VAEDecode with the RGBA layered VAE). Outputs the layers as RGB images + alpha mask."""
    s = job.settings
    vae = job.vae()
    image = _scaled(job, job.inputs.image[:1])
    positive, negative = job.conditioning()
    (reference,) = job.node("VAEEncode", pixels=image, vae=vae)
    (positive,) = job.node("ReferenceLatent", conditioning=positive, latent=reference)
    (negative,) = job.node("ReferenceLatent", conditioning=negative, latent=reference)
    (latent,) = job.node("EmptyQwenImageLayeredLatentImage", width=s.width, height=s.height,
                         layers=job.inputs.layers, batch_size=1)
    sampled = job.sample(job.shifted(job.models()["model"]), positive, negative, latent)
    (layers,) = job.node("LatentCut", stage="decode", samples=sampled, dim="t", index=1, amount=16384)
    (batch,) = job.node("LatentCutToBatch", stage="decode", samples=layers, dim="t", slice_size=1)
    rgba = job.decode(batch)
    if rgba.shape[-1] != 4:
        raise ValueError(f"the layered VAE decoded {rgba.shape[-1]} channels, not RGBA: use "
                         f"qwen_image_layered_vae.safetensors")
    return job.save(rgba[..., :3].contiguous(), sampled, mask=rgba[..., 3].contiguous())


RECIPES = {"text_to_image": text_to_image, "image_editing": image_editing, "image_relighting": image_relighting,
           "layered_generation": layered_generation, "super_resolution": super_resolution}

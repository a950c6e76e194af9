"""A models folder laid out like ComfyUI's (diffusion_models/, text_encoders/, vae/, clip_vision/, loras/) with
what each StoryCore loader node needs, and the node inputs that pick those files.

Diffusion models are the tiny real-architecture fixtures; Wan and Qwen get the tiny Wan 2.1 VAE (loadable);
text encoders, other VAEs and CLIP vision are real-shape sparse headers (their sizes cannot shrink).
"""
import os
from pathlib import Path

from component_headers import FILE_NAMES, write_component
from tiny_models import write_checkpoint, write_wan21_vae

LOADER_NODES = {"wan": "StoryCoreWanLoader", "hunyuan_video": "StoryCoreHunyuanVideoLoader",
                "qwen_image": "StoryCoreQwenImageLoader", "newbie": "StoryCoreNewBieLoader"}
# family -> (diffusion fixture, text encoder kinds by input, VAE kind or "tiny_wan21")
FAMILY_SETUPS = {
    "wan": (("wan21_t2v", "fp8_e4m3fn"), {"text_encoder": "umt5_xxl"}, "tiny_wan21"),
    "hunyuan_video": (("hunyuan_video_t2v", "scaled_fp8"), {"text_encoder": "clip_l", "text_encoder_2": "llama3_8b_llava"},
                      "hunyuan_video_vae"),
    "qwen_image": (("qwen_image_edit_2511", "comfy_quant"), {"text_encoder": "qwen25_7b_vl"}, "tiny_wan21"),
    "newbie": (("newbie", "bf16"), {"text_encoder": "gemma3_4b", "text_encoder_2": "jina_clip_v2"}, "flux_vae"),
}
TINY_VAE_NAME = "wan_2.1_vae_tiny.safetensors"
TINY_RGBA_VAE_NAME = "qwen_image_layered_vae_tiny.safetensors"


def link_into(folder: Path, source: Path, name: str | None = None) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or source.name)
    if not target.exists():
        os.symlink(source, target)
    return target.name


def place_model(models_root: Path, tiny_models_dir: Path, variant: str, precision: str) -> str:
    return link_into(models_root / "diffusion_models", write_checkpoint(variant, precision, tiny_models_dir))


def place_vae(models_root: Path, tiny_models_dir: Path, kind: str) -> str:
    if kind == "tiny_wan21":
        return link_into(models_root / "vae", write_wan21_vae(tiny_models_dir), TINY_VAE_NAME)
    if kind == "tiny_wan21_rgba":  # the Qwen-Image-Layered VAE's layout
        return link_into(models_root / "vae", write_wan21_vae(tiny_models_dir, image_channels=4), TINY_RGBA_VAE_NAME)
    path = models_root / "vae" / FILE_NAMES[kind]
    if not path.exists():
        write_component(kind, models_root / "vae")
    return path.name


def place_component(models_root: Path, folder: str, kind: str) -> str:
    path = models_root / folder / FILE_NAMES[kind]
    if not path.exists():
        write_component(kind, models_root / folder)
    return path.name


def loader_inputs(family: str, models_root: Path, tiny_models_dir: Path, **overrides) -> dict:
    """The inputs of the family's loader node for its standard setup, files placed under models_root."""
    (variant, precision), text_encoders, vae = FAMILY_SETUPS[family]
    inputs = {"model_name": place_model(models_root, tiny_models_dir, variant, precision),
              "vae": place_vae(models_root, tiny_models_dir, vae),
              "lora_1": "none", "lora_1_strength": 1.0, "lora_2": "none", "lora_2_strength": 1.0,
              "precision": "auto"}
    for input_name, kind in text_encoders.items():
        inputs[input_name] = place_component(models_root, "text_encoders", kind)
    if family == "wan":
        inputs.update(low_noise_model_name="none", clip_vision="none", variant="auto")
    elif family == "hunyuan_video":
        inputs.update(sr_model_name="none", clip_vision="none", variant="auto")
    elif family == "qwen_image":
        inputs.update(variant="auto")
    inputs.update(overrides)
    return inputs


def variant_loader_inputs(variant_id: str, precision: str, models_root: Path, tiny_models_dir: Path) -> dict:
    """The loader inputs for one fixture variant, with the companion files its family declaration asks for.

    Wan 2.2 A14B T2V experts come as their high/low pair; HunyuanVideo 1.5 SR rides on a 1.5 model, with its
    latent upsampler."""
    from model_loaders.families import FAMILIES
    from tiny_models import VARIANTS
    spec = VARIANTS[variant_id]
    declaration = FAMILIES[spec.family].DECLARATIONS[spec.expected_variant]
    inputs = loader_inputs(spec.family, models_root, tiny_models_dir)
    inputs["model_name"] = place_model(models_root, tiny_models_dir, variant_id, precision)
    if spec.expected_variant == "wan22_a14b_t2v":
        inputs["model_name"] = place_model(models_root, tiny_models_dir, "wan22_a14b_t2v_high_noise", precision)
        inputs["low_noise_model_name"] = place_model(models_root, tiny_models_dir, "wan22_a14b_t2v_low_noise",
                                                     precision)
    if variant_id == "hunyuan_video_15_sr":  # with the latent upsampler, which super_resolution also needs
        from tiny_models.upscale_models import write_latent_upsampler
        inputs["model_name"] = place_model(models_root, tiny_models_dir, "hunyuan_video_15", precision)
        inputs["sr_model_name"] = place_model(models_root, tiny_models_dir, variant_id, precision)
        inputs["latent_upsampler"] = link_into(models_root / "latent_upscale_models",
                                               write_latent_upsampler(tiny_models_dir))
    for input_name, kind in zip(("text_encoder", "text_encoder_2"), declaration.text_encoders):
        inputs[input_name] = place_component(models_root, "text_encoders", kind)
    tiny = "tiny_wan21_rgba" if declaration.vae_image_channels == 4 else "tiny_wan21"
    inputs["vae"] = place_vae(models_root, tiny_models_dir, tiny if declaration.vae == "wan21_vae" else declaration.vae)
    if declaration.clip_vision_required:
        inputs["clip_vision"] = place_component(models_root, "clip_vision", declaration.clip_vision)
    return inputs

"""What a companion file can be: the kinds ComfyUI recognises (display name, users, usual file) and the
description every detector returns. Plain Python."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CheckpointError
from ..precision import describe_precision, is_quant_aux
from ..safetensors_header import SafetensorsHeader, read_safetensors_header


class UnknownComponentError(CheckpointError):
    """A text-encoder / VAE / CLIP-vision / LoRA file that matches nothing ComfyUI (or StoryCore) can use."""


# kind -> (display name, who uses it, a typical file name)
KINDS: dict[str, tuple[str, str, str]] = {
    # text encoders
    "umt5_xxl": ("UMT5-XXL text encoder", "Wan", "umt5_xxl_fp8_e4m3fn_scaled.safetensors"),
    "t5_xxl": ("T5-XXL text encoder", "FLUX / SD3 / LTXV", "t5xxl_fp16.safetensors"),
    "t5_xl": ("T5-XL text encoder", "AuraFlow", "t5xl.safetensors"),
    "t5_xxl_old": ("T5-XXL (old layout) text encoder", "Cosmos", "oldt5_xxl_fp8_e4m3fn_scaled.safetensors"),
    "t5_base": ("T5-base text encoder", "Stable Audio / ACE", "t5_base.safetensors"),
    "t5_gemma": ("T5-Gemma text encoder", "Stable Audio 3", "t5gemma.safetensors"),
    "byt5_small_glyph": ("ByT5-small Glyph text encoder", "HunyuanVideo 1.5", "byt5_small_glyphxl_fp16.safetensors"),
    "clip_l": ("CLIP-L text encoder", "HunyuanVideo 1.0 / FLUX / SD", "clip_l.safetensors"),
    "clip_g": ("CLIP-G text encoder", "SDXL / SD3", "clip_g.safetensors"),
    "clip_h": ("CLIP-H text encoder", "SD 2.x", "clip_h.safetensors"),
    "jina_clip_v2": ("Jina-CLIP-v2 text encoder", "NewBie-image", "jina_clip_v2_bf16.safetensors"),
    "gemma2_2b": ("Gemma-2-2B text encoder", "Lumina 2", "gemma_2_2b_fp16.safetensors"),
    "gemma3_4b": ("Gemma-3-4B text encoder", "NewBie-image", "gemma_3_4b_it_bf16.safetensors"),
    "gemma3_12b": ("Gemma-3-12B text encoder", "LTX-2", "gemma_3_12B_it.safetensors"),
    "gemma4": ("Gemma-4 text encoder", "other models", "gemma_4.safetensors"),
    "gpt_oss_20b": ("GPT-OSS-20B text encoder", "Lens", "gpt_oss_20b.safetensors"),
    "qwen25_3b": ("Qwen2.5-VL-3B text encoder", "OmniGen2", "qwen_2.5_vl_fp16.safetensors"),
    "qwen25_7b_vl": ("Qwen2.5-VL-7B text encoder", "Qwen-Image / HunyuanVideo 1.5",
                     "qwen_2.5_vl_7b_fp8_scaled.safetensors"),
    "qwen25_7b": ("Qwen2.5-7B text encoder without its vision tower", "Qwen-Image (text only)",
                  "qwen_2.5_7b.safetensors"),
    "qwen3": ("Qwen3 text encoder", "Z-Image / Ovis / FLUX.2 Klein", "qwen_3_4b.safetensors"),
    "qwen35": ("Qwen3.5 text encoder", "other models", "qwen_3.5.safetensors"),
    "qwen3_vl": ("Qwen3-VL text encoder", "other models", "qwen_3_vl.safetensors"),
    "mistral3_24b": ("Mistral-3-24B text encoder", "FLUX.2", "mistral_3_small_flux2_fp8.safetensors"),
    "ministral_3_3b": ("Ministral-3-3B text encoder", "other models", "ministral_3_3b.safetensors"),
    "llama3_8b_llava": ("LLaVA-LLaMA-3-8B text encoder", "HunyuanVideo 1.0", "llava_llama3_fp8_scaled.safetensors"),
    "llama3_8b": ("LLaMA-3.1-8B text encoder", "HiDream", "llama_3.1_8b_instruct_fp8_scaled.safetensors"),
    # VAEs
    "wan21_vae": ("Wan 2.1 VAE", "Wan 2.1 / Wan 2.2 A14B / Qwen-Image", "wan_2.1_vae.safetensors"),
    "wan22_vae": ("Wan 2.2 VAE", "Wan 2.2 TI2V-5B", "wan2.2_vae.safetensors"),
    "hunyuan_video_vae": ("HunyuanVideo VAE", "HunyuanVideo 1.0", "hunyuan_video_vae_bf16.safetensors"),
    "hunyuan_video_15_vae": ("HunyuanVideo 1.5 VAE", "HunyuanVideo 1.5", "hunyuanvideo15_vae_fp16.safetensors"),
    "flux_vae": ("FLUX VAE", "NewBie-image / FLUX / Lumina 2", "ae.safetensors"),
    "sd_vae": ("SD 1.x / SDXL VAE (4 latent channels)", "Stable Diffusion", "sdxl_vae.safetensors"),
    "kl_vae": ("KL VAE", "other models", "vae.safetensors"),
    "hunyuan_image_vae": ("HunyuanImage 2.1 VAE", "HunyuanImage 2.1", "hunyuan_image_2.1_vae_fp16.safetensors"),
    "hunyuan_image_refiner_vae": ("HunyuanImage 2.1 refiner VAE", "HunyuanImage 2.1",
                                  "hunyuan_image_refiner_vae_fp16.safetensors"),
    "cogvideox_vae": ("CogVideoX VAE", "CogVideoX", "cogvideox_vae.safetensors"),
    "ltxv_vae": ("LTX-Video VAE", "LTX-Video", "ltxv_vae.safetensors"),
    "mochi_vae": ("Mochi VAE", "Mochi", "mochi_vae.safetensors"),
    "cosmos_vae": ("Cosmos VAE", "Cosmos", "cosmos_cv8x8x8_1.0.safetensors"),
    "taesd": ("TAESD approximate VAE", "previews", "taesd_decoder.safetensors"),
    "svd_temporal_vae": ("temporal (SVD) VAE", "Stable Video Diffusion", "svd_vae.safetensors"),
    # CLIP vision
    "clip_vision_h": ("CLIP-ViT-H/14 vision encoder", "Wan 2.1 I2V / Fun-Control", "clip_vision_h.safetensors"),
    "clip_vision_g": ("CLIP-ViT-bigG vision encoder", "SDXL unCLIP / IP-Adapter", "clip_vision_g.safetensors"),
    "clip_vision_vitl": ("CLIP-ViT-L/14 vision encoder", "IP-Adapter / SD", "clip_vision_vit_l.safetensors"),
    "clip_vision_vitl_336": ("CLIP-ViT-L/14-336 vision encoder", "other models", "clip_vision_vit_l_336.safetensors"),
    "llava_llama3_vision": ("LLaVA-LLaMA-3 vision tower", "HunyuanVideo 1.0 I2V", "llava_llama3_vision.safetensors"),
    "siglip_384": ("SigLIP so400m/14-384 vision encoder", "HunyuanVideo 1.5 I2V",
                   "sigclip_vision_patch14_384.safetensors"),
    "siglip_512": ("SigLIP 512 vision encoder", "other models", "siglip_512.safetensors"),
    "siglip2_naflex": ("SigLIP2 NaFlex vision encoder", "other models", "siglip2_naflex.safetensors"),
    "dino2": ("DINOv2 image encoder", "other models", "dinov2.safetensors"),
    "dino3": ("DINOv3 image encoder", "other models", "dinov3.safetensors"),
    # latent upscale models (models/latent_upscale_models)
    "hunyuan_video_15_latent_upsampler_1080p": ("HunyuanVideo 1.5 1080p latent upsampler",
                                                "HunyuanVideo 1.5 super-resolution",
                                                "hunyuanvideo15_latent_upsampler_1080p.safetensors"),
    "hunyuan_video_15_latent_upsampler_720p": ("HunyuanVideo 1.5 720p latent upsampler",
                                               "HunyuanVideo 1.5 super-resolution",
                                               "hunyuanvideo15_latent_upsampler_720p.safetensors"),
    "ltxv_latent_upsampler": ("LTX-Video latent upsampler", "LTX-Video", "ltxv-spatial-upscaler-0.9.7.safetensors"),
    # image upscale models (models/upscale_models)
    "esrgan": ("super-resolution model of the ESRGAN type", "image upscaling", "RealESRGAN_x4plus.safetensors"),
}


@dataclass(frozen=True)
class ComponentDescription:
    """What a companion file is. `dims` holds the widths other files must agree with (e.g. hidden_size)."""
    file_name: str
    path: Path
    role: str                      # "text_encoder" | "vae" | "clip_vision" | "latent_upsampler" | "upscale_model"
    kind: str
    display_name: str
    used_by: str
    precision: dict
    parameter_count: int
    weight_bytes: int
    dims: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def describe_kind(kind: str, with_users: bool = True) -> str:
    """'a UMT5-XXL text encoder (Wan)' (every display name starts with a consonant sound)."""
    display, used_by, _ = KINDS.get(kind, (kind, "", ""))
    return f"a {display}" + (f" ({used_by})" if used_by and with_users else "")


def example_file(kind: str) -> str:
    return KINDS.get(kind, ("", "", f"a {kind} file"))[2]


def component_description(header: SafetensorsHeader, role: str, kind: str, dims: dict, notes=()) -> ComponentDescription:
    display, used_by, _ = KINDS[kind]
    params = sum(t.numel for t in header.tensors.values() if not is_quant_aux(t.name))
    return ComponentDescription(header.path.name, header.path, role, kind, display, used_by,
                                describe_precision(header), params, header.data_bytes, dims, tuple(notes))


def key_shapes(header: SafetensorsHeader) -> dict[str, tuple[int, ...]]:
    return {name: t.shape for name, t in header.tensors.items()}


def read_header(path_or_header) -> SafetensorsHeader:
    if isinstance(path_or_header, SafetensorsHeader):
        return path_or_header
    return read_safetensors_header(path_or_header)


def prefixed_marker(shapes, markers) -> tuple[str, str] | None:
    """(prefix, marker) when a known marker key sits under an extra prefix (e.g. a text encoder saved out of a full
    checkpoint as `text_encoders.qwen25_7b.transformer.model.layers...`)."""
    for key in shapes:
        for marker in markers:
            if key.endswith("." + marker):
                return key[: -len(marker)], marker
    return None


def strip_prefix(shapes, prefix: str) -> dict:
    return {k[len(prefix):]: v for k, v in shapes.items() if k.startswith(prefix)}


def summarise_groups(shapes) -> str:
    groups = sorted({k.split(".", 1)[0] for k in shapes})
    shown = ", ".join(groups[:10]) + (f", ... ({len(groups)} groups)" if len(groups) > 10 else "")
    return f"{len(shapes)} tensors in the top-level groups [{shown or 'none'}]"


def require_exact_layout(header: SafetensorsHeader, shapes, expected, what: str, builder: str) -> None:
    """Raise UnknownComponentError unless the file has exactly the `expected` keys and shapes (a loader that loads
    strictly, e.g. LatentUpscaleModelLoader or spandrel): `what` the layout looks like, `builder` who builds it."""
    from ..families.base import check_keys, summarise_keys  # families import no component module
    check = check_keys(shapes, expected)
    if check.ok and not check.unexpected:
        return
    wrong = list(check.missing) + [k for k, _, _ in check.mismatched] + list(check.unexpected)
    raise UnknownComponentError(
        f"{header.path.name}: {what}, but {len(wrong)} of its weights do not fit the module {builder} builds from "
        f"it ({summarise_keys(wrong, 5)}). The file is incomplete or damaged: download it again")

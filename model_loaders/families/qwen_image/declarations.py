"""Qwen-Image: the variants, what each one serves and which companion files it needs."""
from ..base import CapabilityLora, OptionalCompanion, ReleaseFile, VariantDeclaration

FAMILY = "qwen_image"
DISPLAY_NAME = "Qwen-Image"
VARIANTS = {
    "qwen_image": "Qwen-Image",
    "qwen_image_edit": "Qwen-Image-Edit",
    "qwen_image_edit_2509": "Qwen-Image-Edit-2509",
    "qwen_image_edit_2511": "Qwen-Image-Edit-2511",
    "qwen_image_layered": "Qwen-Image-Layered",
}

# What each variant serves and needs.
# The Qwen-Image VAE is a Wan 2.1 VAE, published as qwen_image_vae.safetensors.
_QWEN = dict(text_encoders=("qwen25_7b_vl",), vae="wan21_vae", vae_file="qwen_image_vae.safetensors",
             clip_type="qwen_image", workflow_type="image")
_EDIT = dict(_QWEN, image_through_text_encoder=True)  # the input image goes through Qwen2.5-VL
RELIGHT_TRIGGER = "重新照明,"  # "relight,": the Relight LoRA's trigger, put before the prompt by its template
# "Refer to the colour tone; remove image 1's lighting and relight image 1 with the light and tone of image 2."
LIGHT_MIGRATION_PROMPT = "参考色调，移除图1原有的光照并参考图2的光照和色调对图1重新照明"
# super_resolution of an image: an ESRGAN-type upscale model (spandrel, as ComfyUI's UpscaleModelLoader loads it),
# then a low-denoise refine with the text-to-image model (the official model-upscale + refine pattern).
UPSCALE_MODEL_FILE = "RealESRGAN_x4plus.safetensors"
_UPSCALE = {"upscale_model": OptionalCompanion(
    "upscale_model", "esrgan", "upscale_models", ("super_resolution",),
    "Optional ESRGAN-type upscale model, e.g. RealESRGAN_x4plus (models/upscale_models): with it, Qwen-Image serves "
    "super_resolution of an image (model upscale, then a low-denoise refine).", UPSCALE_MODEL_FILE)}
DECLARATIONS = {
    # Base, Edit and Edit-2509 share one layout; Edit-2511 differs only by its `__index_timestep_zero__` marker,
    # so a file without the marker may be declared 2511 (and a 2511-by-name file without it anything else).
    "qwen_image": VariantDeclaration(("text_to_image",), overridable_to=(
        "qwen_image_edit", "qwen_image_edit_2509", "qwen_image_edit_2511"), companions=_UPSCALE, **_QWEN),
    "qwen_image_edit": VariantDeclaration(("image_editing",), overridable_to=(
        "qwen_image", "qwen_image_edit_2509", "qwen_image_edit_2511"), **_EDIT),
    # Relighting comes with one of 2509's two relight LoRAs attached (the image_qwen_image_edit_2509_relight and
    # portrait light-migration templates).
    "qwen_image_edit_2509": VariantDeclaration(("image_editing",), overridable_to=(
        "qwen_image", "qwen_image_edit", "qwen_image_edit_2511"), capability_loras=(
        CapabilityLora("image_relighting", r"light[_\-. ]?migration",
                       "Qwen-Image-Edit-2509-Light-Migration.safetensors", prompt=LIGHT_MIGRATION_PROMPT,
                       needs_reference=True),
        CapabilityLora("image_relighting", r"relight", "Qwen-Image-Edit-2509-Relight.safetensors",
                       prompt_prefix=RELIGHT_TRIGGER)), **_EDIT),
    # No relight LoRA or template exists for 2511 (the Relight and Light-Migration LoRAs are 2509's).
    "qwen_image_edit_2511": VariantDeclaration(("image_editing",), overridable_to=(
        "qwen_image", "qwen_image_edit", "qwen_image_edit_2509"), **_EDIT),
    # Its VAE is a Wan 2.1 VAE with 4 image channels (RGBA layers).
    "qwen_image_layered": VariantDeclaration(("layered_generation",), **dict(
        _QWEN, vae_file="qwen_image_layered_vae.safetensors", vae_image_channels=4)),
}

# Text-encoder widths that must equal what the diffusion model reads from its own file (kind -> architecture key).
TEXT_ENCODER_WIDTHS = {"qwen25_7b_vl": "context_dim"}

_QI = "https://huggingface.co/Comfy-Org/Qwen-Image_ComfyUI/resolve/main/split_files/"
_QE = "https://huggingface.co/Comfy-Org/Qwen-Image-Edit_ComfyUI/resolve/main/split_files/"
_QL = "https://huggingface.co/Comfy-Org/Qwen-Image-Layered_ComfyUI/resolve/main/split_files/"
_QWEN_VL = ReleaseFile("qwen_2.5_vl_7b_fp8_scaled.safetensors", "text_encoders",
                       _QI + "text_encoders/qwen_2.5_vl_7b_fp8_scaled.safetensors", "image_qwen_image.json")
_VAE = ReleaseFile("qwen_image_vae.safetensors", "vae", _QI + "vae/qwen_image_vae.safetensors", "image_qwen_image.json")


def _model(name: str, base: str, template: str) -> ReleaseFile:
    return ReleaseFile(name, "diffusion_models", base + "diffusion_models/" + name, template)


# The official release files of each variant, as ComfyUI's official templates list them (the template named in each).
RELEASES = {
    "qwen_image": (_model("qwen_image_fp8_e4m3fn.safetensors", _QI, "image_qwen_image.json"), _QWEN_VL, _VAE,
                   ReleaseFile(UPSCALE_MODEL_FILE, "upscale_models", "https://huggingface.co/Comfy-Org/"
                               "Real-ESRGAN_repackaged/resolve/main/" + UPSCALE_MODEL_FILE, "utility-gan_upscaler.json",
                               optional=True)),
    "qwen_image_edit": (_model("qwen_image_edit_fp8_e4m3fn.safetensors", _QE, "image_qwen_image_edit.json"),
                        _QWEN_VL, _VAE),
    "qwen_image_edit_2509": (_model("qwen_image_edit_2509_fp8_e4m3fn.safetensors", _QE,
                                    "image_qwen_image_edit_2509.json"), _QWEN_VL, _VAE),
    "qwen_image_edit_2511": (_model("qwen_image_edit_2511_fp8mixed.safetensors", _QE,
                                    "image_qwen_image_edit_2511.json"), _QWEN_VL, _VAE),
    "qwen_image_layered": (_model("qwen_image_layered_bf16.safetensors", _QL, "image_qwen_image_layered.json"),
                           _QWEN_VL, ReleaseFile("qwen_image_layered_vae.safetensors", "vae",
                                                 _QL + "vae/qwen_image_layered_vae.safetensors",
                                                 "image_qwen_image_layered.json")),
}

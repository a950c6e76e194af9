"""Qwen-Image: the variants, what each one serves and which companion files it needs."""
from ..base import VariantDeclaration

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
DECLARATIONS = {
    # Base, Edit and Edit-2509 share one layout; Edit-2511 differs only by its `__index_timestep_zero__` marker,
    # so a file without the marker may be declared 2511 (and a 2511-by-name file without it anything else).
    "qwen_image": VariantDeclaration(("text_to_image",), overridable_to=(
        "qwen_image_edit", "qwen_image_edit_2509", "qwen_image_edit_2511"), **_QWEN),
    "qwen_image_edit": VariantDeclaration(("image_editing",), overridable_to=(
        "qwen_image", "qwen_image_edit_2509", "qwen_image_edit_2511"), **_EDIT),
    "qwen_image_edit_2509": VariantDeclaration(("image_editing",), overridable_to=(
        "qwen_image", "qwen_image_edit", "qwen_image_edit_2511"), **_EDIT),
    "qwen_image_edit_2511": VariantDeclaration(("image_editing", "image_relighting"), overridable_to=(
        "qwen_image", "qwen_image_edit", "qwen_image_edit_2509"), **_EDIT),
    "qwen_image_layered": VariantDeclaration(("layered_generation",), **_QWEN),
}

# Text-encoder widths that must equal what the diffusion model reads from its own file (kind -> architecture key).
TEXT_ENCODER_WIDTHS = {"qwen25_7b_vl": "context_dim"}

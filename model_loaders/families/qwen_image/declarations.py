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
_QWEN = dict(text_encoders=("qwen25_7b_vl",), vae="wan21_vae", clip_type="qwen_image", workflow_type="image")
DECLARATIONS = {
    # Base, Edit and Edit-2509 share one layout; Edit-2511 differs only by its `__index_timestep_zero__` marker,
    # so a file without the marker may be declared 2511 (and a 2511-by-name file without it anything else).
    "qwen_image": VariantDeclaration(("text_to_image",), overridable_to=(
        "qwen_image_edit", "qwen_image_edit_2509", "qwen_image_edit_2511"), **_QWEN),
    "qwen_image_edit": VariantDeclaration(("image_editing",), overridable_to=(
        "qwen_image", "qwen_image_edit_2509", "qwen_image_edit_2511"), **_QWEN),
    "qwen_image_edit_2509": VariantDeclaration(("image_editing",), overridable_to=(
        "qwen_image", "qwen_image_edit", "qwen_image_edit_2511"), **_QWEN),
    "qwen_image_edit_2511": VariantDeclaration(("image_editing", "image_relighting"), overridable_to=(
        "qwen_image", "qwen_image_edit", "qwen_image_edit_2509"), **_QWEN),
    "qwen_image_layered": VariantDeclaration(("layered_generation",), **_QWEN),
}

"""One package per supported model family. Each exposes FAMILY, DISPLAY_NAME, VARIANTS,
`detect(layout, file_name) -> FamilyMatch | None`, DECLARATIONS (variant -> VariantDeclaration: capabilities and
companion files) and `expected_layout(layout, match)` (the full key/shape table of the detected architecture).

The order is ComfyUI's detection order (comfy/model_detection.py tests HunyuanVideo, then Lumina 2,
then Wan, then Qwen-Image), so a file is classified as ComfyUI would classify it.
"""
from . import hunyuan_video, newbie, qwen_image, wan
from .base import FamilyMatch, KeyCheck, VariantDeclaration, check_keys

FAMILY_MODULES = (hunyuan_video, newbie, wan, qwen_image)
FAMILIES = {module.FAMILY: module for module in FAMILY_MODULES}


def declaration(family: str, variant: str) -> VariantDeclaration:
    return FAMILIES[family].DECLARATIONS[variant]


def overridable_variants(family: str) -> list[str]:
    """The variants a loader's "variant" input may name: those sharing a layout with another variant."""
    declarations = FAMILIES[family].DECLARATIONS
    return [v for v, d in declarations.items() if d.overridable_to]


def missing_and_mismatched(layout, match: FamilyMatch) -> KeyCheck:
    """Check a diffusion model's keys against every key ComfyUI's module for `match` has.

    ComfyUI loads diffusion models with strict=False (model_base.py load_model_weights), so a missing key would
    silently stay uninitialised memory: this lists them instead. Quantisation auxiliaries and the optional keys
    ComfyUI also accepts (Wan FLF2V `img_emb.emb_pos`, Qwen `__index_timestep_zero__`) are tolerated.
    """
    expected, optional, aliases = FAMILIES[match.family].expected_layout(layout, match)
    return check_keys(layout.shapes, expected, optional, aliases)


__all__ = ["FAMILIES", "FAMILY_MODULES", "FamilyMatch", "KeyCheck", "VariantDeclaration", "declaration",
           "missing_and_mismatched", "overridable_variants"]

"""The supported model families: every sub-package of this folder is one (adding a family adds one folder).

Each family package exposes, from its modules:
- declarations: FAMILY, DISPLAY_NAME, VARIANTS, DECLARATIONS (variant -> VariantDeclaration: capabilities and
  companion files), TEXT_ENCODER_WIDTHS and RELEASES (where its official files come from)
- detection: MARKER_KEY, `detect(layout, file_name) -> FamilyMatch | None` and `expected_layout(layout, match)` (the
  full key/shape table of the detected architecture, from keys.py), mirroring ComfyUI's detection
- defaults: TEMPLATE_DEFAULTS and QUALITY_PRIORS, plain data for the routing config
- loader: LOADER (its loader node's file slots and tooltips) and LORA_RULES (how ComfyUI maps its LoRAs)
- recipes: how each capability runs through ComfyUI's nodes (imports comfy; imported only when a workflow runs)
and DETECTION_ORDER in its __init__.

FAMILY_MODULES is in ComfyUI's detection order (DETECTION_ORDER: comfy/model_detection.py tests HunyuanVideo,
then Lumina 2, then Wan, then Qwen-Image), so a file is classified as ComfyUI would classify it.
"""
import importlib
import pkgutil

from .base import FamilyMatch, KeyCheck, VariantDeclaration, check_keys


def _discover() -> tuple:
    packages = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)
                if info.ispkg]
    return tuple(sorted(packages, key=lambda package: package.DETECTION_ORDER))


FAMILY_MODULES = _discover()
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


def routing_defaults() -> dict:
    """The families' data as the routing config's base: template sampling values per variant (with the variant's
    resolution multiple from its declaration) and the quality priors."""
    families, priors = {}, {}
    for module in FAMILY_MODULES:
        variants = {}
        for key, values in module.TEMPLATE_DEFAULTS.items():
            variant, _, capability = key.partition("/")
            entry = dict(values)
            if not capability:
                entry.setdefault("resolution_multiple", module.DECLARATIONS[variant].resolution_multiple)
            variants[key] = entry
        families[module.FAMILY] = {"variants": variants}
        priors[module.FAMILY] = dict(module.QUALITY_PRIORS)
    return {"families": families, "quality": {"priors": priors}}


__all__ = ["FAMILIES", "FAMILY_MODULES", "FamilyMatch", "KeyCheck", "VariantDeclaration", "declaration",
           "missing_and_mismatched", "overridable_variants", "routing_defaults"]

"""What a model family module provides to the inspector."""
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FamilyMatch:
    """The family/variant of a checkpoint and the architecture numbers ComfyUI would infer."""
    family: str
    variant: str
    comfy_model_class: str  # the class in comfy/supported_models.py that ComfyUI will pick
    architecture: dict
    variant_source: str = "weights"  # "weights", or "file name" where the weights cannot tell
    ambiguous_with: tuple[str, ...] = ()  # variants with the very same layout
    expert: str | None = None  # Wan 2.2 A14B: "high_noise" / "low_noise", from the file name
    notes: tuple[str, ...] = field(default_factory=tuple)


def name_has(file_name: str, *patterns: str) -> bool:
    """True when the lower-cased file name matches any regex pattern (file names are the only hint
    where two variants share one layout)."""
    lowered = file_name.lower()
    return any(re.search(p, lowered) for p in patterns)


def expert_from_name(file_name: str) -> str | None:
    if name_has(file_name, r"high[_\- ]?noise"):
        return "high_noise"
    if name_has(file_name, r"low[_\- ]?noise"):
        return "low_noise"
    return None


# ---------------------------------------------------------------------------------------------------------------
# What each variant serves and needs (declared per family module in DECLARATIONS), and the key-set check.

@dataclass(frozen=True)
class VariantDeclaration:
    """What a variant serves and which companion files its loader needs.

    capabilities: ids of routing.capabilities.Capability; workflow_type: "video" or "image".
    text_encoders: the text-encoder kinds (model_loaders.components) the variant needs, one file each.
    clip_type: the comfy.sd.CLIPType member name (lower case) to load them with.
    clip_vision: the CLIP-vision kind it uses (None: none); clip_vision_required: False where it is optional.
    overridable_to: variants with the very same layout that a user may pick where the weights cannot tell.
    model_roles: the diffusion-model inputs the loader takes ("model", or "high_noise" + "low_noise").
    resolution_multiple: width and height must be multiples of VAE factor x patch size.
    """
    capabilities: tuple[str, ...]
    workflow_type: str
    text_encoders: tuple[str, ...]
    vae: str
    clip_type: str
    clip_vision: str | None = None
    clip_vision_required: bool = False
    overridable_to: tuple[str, ...] = ()
    model_roles: tuple[str, ...] = ("model",)
    resolution_multiple: int = 16


@dataclass(frozen=True)
class KeyCheck:
    """The result of checking a file's keys against the full layout ComfyUI will build for it."""
    expected_count: int
    missing: tuple[str, ...]                                        # every missing key, in module order
    mismatched: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...]  # (key, expected, found)
    unexpected: tuple[str, ...]                                     # keys ComfyUI will ignore

    @property
    def ok(self) -> bool:
        return not self.missing and not self.mismatched


# Tensors that are not model parameters: quantisation bookkeeping (comfy.utils.convert_old_quants, comfy/ops.py)
# and markers. Imported lazily to keep families importable on their own.
def _is_aux(key: str) -> bool:
    from ..precision import is_quant_aux
    return is_quant_aux(key)


def check_keys(shapes: dict[str, tuple[int, ...]], expected: dict[str, tuple[int, ...]],
               optional: dict[str, tuple[int, ...] | None] | None = None,
               aliases: dict[str, str] | None = None) -> KeyCheck:
    """Compare a file's key -> shape map with the expected one.

    optional: keys ComfyUI also accepts (shape None: any shape); aliases: file spelling -> table spelling of the
    same tensor (e.g. HunyuanVideo `*_norm.weight` for `*_norm.scale`, which ComfyUI 0.33 renames on load).
    Quantisation auxiliaries (scale_weight, weight_scale, input_scale, comfy_quant, the scaled_fp8 marker) are
    never missing, mismatched or unexpected.
    """
    optional = optional or {}
    aliases = aliases or {}
    found: dict[str, tuple[int, ...]] = {}
    for key, shape in shapes.items():
        if _is_aux(key):
            continue
        found[aliases.get(key, key)] = tuple(shape)
    missing = tuple(k for k in expected if k not in found)
    mismatched = tuple((k, tuple(s), found[k]) for k, s in expected.items() if k in found and found[k] != tuple(s))
    mismatched += tuple((k, tuple(s), found[k]) for k, s in optional.items()
                        if s is not None and k in found and found[k] != tuple(s))
    unexpected = tuple(k for k in found if k not in expected and k not in optional)
    return KeyCheck(len(expected), missing, mismatched, unexpected)


def summarise_keys(keys, limit: int = 10) -> str:
    keys = list(keys)
    shown = ", ".join(repr(k) for k in keys[:limit])
    return shown + (f" ... and {len(keys) - limit} more" if len(keys) > limit else "")


def block_span(layout, prefix: str) -> int:
    """1 + the highest `prefix{N}.` index in the file. ComfyUI counts consecutive blocks from 0
    (model_detection.count_blocks) and silently drops everything after a gap; the expected layout uses the highest
    index so that a gap shows up as missing keys instead."""
    highest = -1
    for key in layout.shapes:
        if key.startswith(prefix):
            index, dot, _ = key[len(prefix):].partition(".")
            if dot and index.isdigit():
                highest = max(highest, int(index))
    return highest + 1


def first_shape(layout, pattern_prefix: str, suffix: str, span: int):
    """The shape of `{pattern_prefix}{i}{suffix}` for the first block i that has it (None if no block has)."""
    for i in range(span):
        key = f"{pattern_prefix}{i}{suffix}"
        if layout.has(key):
            return layout.shape(key)
    return None

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

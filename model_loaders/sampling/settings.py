"""Final sampling settings of one attempt: the request's explicit values, else the family template's defaults
(routing config `SamplingDefaults`), with sizes rounded to the workflow's multiple and frames to 4n+1.

Plain Python: the rounding and the fallback to defaults are testable without ComfyUI.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Optional

AUTO = "auto"


@dataclass(frozen=True)
class Overrides:
    """What the router node was given; 0 / "auto" means "the chosen family's template default"."""
    width: int = 0
    height: int = 0
    frames: int = 0
    steps: int = 0
    cfg: float = 0.0
    shift: float = 0.0
    sampler: str = AUTO
    scheduler: str = AUTO
    seed: int = 0
    denoise: float = 1.0     # 1.0 = full, or the template's where it refines an image at partial strength

    def auto_fields(self) -> list[str]:
        return [f.name for f in fields(self) if f.name not in ("seed", "denoise") and getattr(self, f.name) in (0, AUTO)]


@dataclass(frozen=True)
class Settings:
    """Everything a recipe samples with."""
    width: int
    height: int
    frames: int
    steps: int
    cfg: float
    shift: float
    shift_node: str          # "sd3" (ModelSamplingSD3) or "auraflow" (ModelSamplingAuraFlow)
    sampler: str
    scheduler: str
    seed: int
    denoise: float
    guidance: Optional[float] = None           # FluxGuidance (HunyuanVideo 1.0)
    expert_split_step: Optional[int] = None    # Wan 2.2 A14B: the step where the low-noise expert takes over

    def to_dict(self) -> dict:
        return asdict(self)


class SettingsError(ValueError):
    """A setting is auto but the routing config has no template for the variant."""


def round_to_multiple(value: int, multiple: int) -> int:
    """Nearest multiple (halves round up), at least one multiple."""
    return max(multiple, ((value + multiple // 2) // multiple) * multiple)


def round_to_4n_plus_1(frames: int) -> int:
    """Nearest 4n+1 (halves round up), at least 1: the video VAEs compress time 4x after the first frame."""
    return max(1, ((frames - 1 + 2) // 4) * 4 + 1)


def _denoise(overrides: Overrides, defaults) -> float:
    """The request's denoise; left at 1.0, the template's where it has one (an upscale's low-denoise refine)."""
    template = getattr(defaults, "denoise", None)
    if overrides.denoise >= 1.0 and template is not None:
        return float(template)
    return float(overrides.denoise)


def resolve_settings(overrides: Overrides, defaults, *, multiple: int, video: bool, shift_node: str = "sd3",
                     where: str = "this workflow") -> tuple[Settings, list[str]]:
    """(settings, notes): explicit values win, auto ones come from `defaults` (a SamplingDefaults or None).

    `shift_node` is the family's model-sampling node, used when the config gives none. The notes say what was
    rounded. Raises SettingsError naming the auto fields when `defaults` is None."""
    notes: list[str] = []
    missing = [n for n in overrides.auto_fields() if not (n == "frames" and not video)]
    if defaults is None and missing:
        raise SettingsError(
            f"the routing config has no sampling template for {where}, so {', '.join(missing)} cannot be 'auto': "
            f"set them on the router node, or add the variant to the config (STORYCORE_CONFIG)")

    def pick(name):
        value = getattr(overrides, name)
        return getattr(defaults, name) if value in (0, AUTO) else value

    width, height = pick("width"), pick("height")
    rounded_w, rounded_h = round_to_multiple(width, multiple), round_to_multiple(height, multiple)
    if (rounded_w, rounded_h) != (width, height):
        notes.append(f"size {width}x{height} rounded to {rounded_w}x{rounded_h} (multiples of {multiple})")
    frames = 1
    if video:
        asked = pick("frames")
        frames = round_to_4n_plus_1(asked)
        if frames != asked:
            notes.append(f"frames {asked} rounded to {frames} (4n+1)")
    steps = pick("steps")
    split = defaults.expert_split_step if defaults is not None else None
    if split is not None and overrides.steps not in (0,) and defaults.steps != steps:
        # Keep the template's high/low proportion on the new schedule.
        scaled = min(max(1, round(steps * split / defaults.steps)), max(1, steps - 1)) if steps > 1 else 1
        notes.append(f"expert split at step {scaled} of {steps} (template: {split} of {defaults.steps})")
        split = scaled
    settings = Settings(
        width=rounded_w, height=rounded_h, frames=frames, steps=steps, cfg=float(pick("cfg")),
        shift=float(pick("shift")), shift_node=defaults.shift_node if defaults is not None else shift_node,
        sampler=pick("sampler"), scheduler=pick("scheduler"), seed=int(overrides.seed),
        denoise=_denoise(overrides, defaults), guidance=defaults.guidance if defaults is not None else None,
        expert_split_step=split,
    )
    return settings, notes

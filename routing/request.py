"""The request a router decides on: what to make, from which inputs, at what size and budget."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Optional

from .capabilities import Capability, Strategy, is_video_request, parse_capability, parse_strategy
from .errors import InvalidRequestError

QUALITY_MODES: tuple[str, ...] = ("draft", "standard", "high")


def latent_frame_count(frames: int) -> int:
    """Latent length of a ``frames``-long video: the VAEs compress time 4× after the first frame."""
    return (max(frames, 1) - 1) // 4 + 1


def token_count(width: int, height: int, latent_frames: int, spatial_multiple: int = 16) -> int:
    """Transformer tokens per model call: latent frames × ⌈h/m⌉ × ⌈w/m⌉, m = VAE factor × patch."""
    return latent_frames * -(-height // spatial_multiple) * -(-width // spatial_multiple)


@dataclass(frozen=True)
class WorkflowRequest:
    """One generation job, independent of which workflow will run it.

    Inputs are described by presence only (``has_image`` ...): the router needs to know what is
    there, not the tensors. Node adapters keep the tensors and hand them to the executor via
    ``payload`` (never inspected by the routing core).
    """

    prompt: str
    capability: Capability
    negative_prompt: str = ""
    has_image: bool = False
    has_mask: bool = False
    has_video: bool = False
    reference_images: int = 0
    width: int = 832
    height: int = 480
    frames: int = 1
    steps: int = 20
    cfg: float = 5.0
    seed: int = 0
    quality_mode: str = "standard"
    time_limit_s: Optional[float] = None
    memory_budget_bytes: Optional[int] = None
    strategy: Optional[Strategy] = None  # None: the config's default strategy
    payload: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "capability", parse_capability(self.capability))
            if self.strategy is not None:
                object.__setattr__(self, "strategy", parse_strategy(self.strategy))
        except ValueError as exc:
            raise InvalidRequestError(str(exc)) from None
        reasons = self._field_problems()
        if reasons:
            raise InvalidRequestError(reasons)

    def _field_problems(self) -> list[str]:
        """Workflow-independent sanity checks; workflow rules come from validate_request()."""
        reasons: list[str] = []
        for name in ("width", "height", "frames", "steps"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                reasons.append(f"{name}={value!r} must be a positive integer")
        if not isinstance(self.reference_images, int) or self.reference_images < 0:
            reasons.append(f"reference_images={self.reference_images!r} must be an integer >= 0")
        if not isinstance(self.cfg, (int, float)) or self.cfg < 0:
            reasons.append(f"cfg={self.cfg!r} must be a number >= 0")
        if self.quality_mode not in QUALITY_MODES:
            reasons.append(f"quality_mode={self.quality_mode!r} is not one of {', '.join(QUALITY_MODES)}")
        if self.time_limit_s is not None and not self.time_limit_s > 0:
            reasons.append(f"time_limit_s={self.time_limit_s!r} must be > 0 when given")
        if self.memory_budget_bytes is not None and not self.memory_budget_bytes > 0:
            reasons.append(f"memory_budget_bytes={self.memory_budget_bytes!r} must be > 0 when given")
        return reasons

    # -- derived sizes (cached: the request is frozen and the router reads them per candidate) ----
    @cached_property
    def is_video(self) -> bool:
        """Frames, not an image: a video capability, or super resolution of a video (see is_video_request)."""
        return is_video_request(self.capability, has_image=self.has_image, has_video=self.has_video)

    @cached_property
    def latent_frames(self) -> int:
        """Latent time steps: (frames-1)//4+1 for video, 1 for images."""
        return latent_frame_count(self.frames) if self.is_video else 1

    @cached_property
    def pixels(self) -> int:
        return self.width * self.height

    @cached_property
    def cfg_multiplier(self) -> int:
        """cfg > 1 runs the model twice per step (conditional and unconditional)."""
        return 2 if self.cfg > 1 else 1

    @cached_property
    def work_units(self) -> float:
        """Size of the job for time estimates: steps × latent frames × pixels × cfg multiplier."""
        return float(self.steps * self.latent_frames * self.pixels * self.cfg_multiplier)

    def token_count(self, spatial_multiple: int = 16) -> int:
        """Transformer tokens per model call: latent frames × ⌈h/m⌉ × ⌈w/m⌉, m = VAE factor × patch."""
        return token_count(self.width, self.height, self.latent_frames, spatial_multiple)

    def inputs_present(self) -> frozenset[str]:
        return self._inputs_present

    @cached_property
    def _inputs_present(self) -> frozenset[str]:
        present = set()
        if self.has_image:
            present.add("image")
        if self.has_mask:
            present.add("mask")
        if self.has_video:
            present.add("video")
        if self.reference_images > 0:
            present.add("reference_images")
        return frozenset(present)

    def with_changes(self, **changes: Any) -> "WorkflowRequest":
        """Copy with some fields changed (validated again)."""
        return replace(self, **changes)

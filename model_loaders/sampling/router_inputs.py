"""What the router node hands to the workflow it runs: the tensors (never inspected by the routing core), the
explicit settings, and where the result goes. Travels in `WorkflowRequest.payload`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from .settings import Overrides


@dataclass
class RouterInputs:
    overrides: Overrides
    config: Any                               # routing.RoutingConfig: the family templates
    positive: Any = None                      # CONDITIONING given instead of the prompt
    negative: Any = None
    image: Any = None                         # IMAGE [B,H,W,C]: start image / image to edit
    end_image: Any = None
    mask: Any = None
    video: Any = None
    reference_image: Any = None
    layers: int = 2                           # layered_generation: layers to make (the template's 2)
    upscale_factor: float = 2.0               # super_resolution: output = input x factor (see super_resolution_size)
    filename_prefix: str = "StoryCore"
    node_class: Any = None                    # the node class (ComfyUI writes its prompt into the saved files)
    node_id: Optional[str] = None             # for the progress bar
    settings_by_workflow: dict = field(default_factory=dict)  # filled per attempt: name -> (Settings, notes)
    timings_by_workflow: dict = field(default_factory=dict)   # name -> {stage: seconds}
    stages_by_workflow: dict = field(default_factory=dict)    # name -> [sampling stage, ...]

    @property
    def has_conditioning(self) -> bool:
        return self.positive is not None


def conditioning_width(conditioning) -> Optional[int]:
    """The context width of ComfyUI CONDITIONING ([[tensor [B, L, D], {...}], ...]), or None if not readable."""
    try:
        return int(conditioning[0][0].shape[-1])
    except (TypeError, IndexError, AttributeError):
        return None


def super_resolution_size(capability: str, image, video, factor: float, width: int, height: int,
                          frames: int = 0) -> tuple[int, int, int]:
    """(width, height, frames) to ask for: for super_resolution of a given video (else image) [B,H,W,C], each side
    left at 0 (auto) is the input's x `factor` and auto frames are the video's; the rest is as given (auto without
    an input: the template's output size)."""
    source = video if video is not None else image
    if str(capability) != "super_resolution" or source is None:
        return width, height, frames
    in_height, in_width = int(source.shape[1]), int(source.shape[2])
    if video is not None and not frames:
        frames = int(video.shape[0])
    return (width or max(1, round(in_width * factor)), height or max(1, round(in_height * factor)), frames)

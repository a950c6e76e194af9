"""Enumerations shared by the whole routing core.

Every enum is a ``str`` enum whose value is the lowercase member name, so values round-trip through
JSON, YAML, SQLite and ComfyUI combo widgets unchanged (``Capability("text_to_video")``).
"""
from __future__ import annotations

from enum import Enum
from typing import Iterable, TypeVar


class Capability(str, Enum):
    """What a workflow can produce. A request names exactly one required capability."""

    TEXT_TO_VIDEO = "text_to_video"
    IMAGE_TO_VIDEO = "image_to_video"
    VIDEO_INPAINTING = "video_inpainting"
    ALPHA_VIDEO = "alpha_video"
    TEXT_TO_IMAGE = "text_to_image"
    IMAGE_EDITING = "image_editing"
    IMAGE_RELIGHTING = "image_relighting"
    LAYERED_GENERATION = "layered_generation"
    ANIME_GENERATION = "anime_generation"
    SUPER_RESOLUTION = "super_resolution"

    def __str__(self) -> str:  # "text_to_video", not "Capability.TEXT_TO_VIDEO", in messages
        return self.value


class WorkflowType(str, Enum):
    """Output kind of a workflow; video workflows obey the 4n+1 frame rule."""

    VIDEO = "video"
    IMAGE = "image"

    def __str__(self) -> str:
        return self.value


class Strategy(str, Enum):
    """How the router ranks the eligible candidates of a request."""

    BEST_QUALITY = "best_quality"
    FASTEST = "fastest"
    BALANCED = "balanced"
    LEAST_MEMORY = "least_memory"
    ROUND_ROBIN = "round_robin"

    def __str__(self) -> str:
        return self.value


VIDEO_CAPABILITIES: frozenset[Capability] = frozenset(
    {
        Capability.TEXT_TO_VIDEO,
        Capability.IMAGE_TO_VIDEO,
        Capability.VIDEO_INPAINTING,
        Capability.ALPHA_VIDEO,
    }
)

# Capabilities whose requests are a video or an image depending on their inputs: super resolution upscales a video
# (given frames, or a video the workflow makes first) or, with an image and no video, that image. A workflow serves
# such a capability for its own output type only (a video workflow the videos, an image workflow the images).
INPUT_TYPED_CAPABILITIES: frozenset[Capability] = frozenset({Capability.SUPER_RESOLUTION})

# Request inputs a capability cannot work without (a workflow may declare stricter rules).
# Input names match the WorkflowRequest flags: image, mask, video, reference_images.
DEFAULT_REQUIRED_INPUTS: dict[Capability, frozenset[str]] = {
    Capability.IMAGE_TO_VIDEO: frozenset({"image"}),
    Capability.VIDEO_INPAINTING: frozenset({"video"}),
    Capability.IMAGE_EDITING: frozenset({"image"}),
    Capability.IMAGE_RELIGHTING: frozenset({"image"}),
    Capability.LAYERED_GENERATION: frozenset({"image"}),
}

INPUT_NAMES: tuple[str, ...] = ("image", "mask", "video", "reference_images")

def is_video_capability(capability: Capability | str) -> bool:
    """True when every request for this capability carries frames (4n+1 rule, latent frames > 1)."""
    return parse_capability(capability) in VIDEO_CAPABILITIES


def is_video_request(capability: Capability | str, *, has_image: bool, has_video: bool) -> bool:
    """True when a request for `capability` with these inputs carries frames: a video capability, or an
    input-typed one (super resolution) with a video or without an image."""
    capability = parse_capability(capability)
    if capability in INPUT_TYPED_CAPABILITIES:
        return has_video or not has_image
    return capability in VIDEO_CAPABILITIES


E = TypeVar("E", bound=Enum)


def _parse_enum(enum_cls: type[E], value: object, what: str) -> E:
    if isinstance(value, enum_cls):
        return value
    if isinstance(value, str):
        key = value.strip().lower()
        for member in enum_cls:
            if member.value == key:
                return member
    accepted = ", ".join(m.value for m in enum_cls)
    raise ValueError(f"unknown {what} {value!r} (accepted: {accepted})")


def parse_capability(value: Capability | str) -> Capability:
    """Accept an enum member or its string value (case-insensitive); ValueError lists valid ones."""
    return _parse_enum(Capability, value, "capability")


def parse_strategy(value: Strategy | str) -> Strategy:
    return _parse_enum(Strategy, value, "strategy")


def parse_workflow_type(value: WorkflowType | str) -> WorkflowType:
    return _parse_enum(WorkflowType, value, "workflow type")


def values(members: Iterable[Enum]) -> list[str]:
    """String values of enum members, for messages and combo widgets."""
    return [m.value for m in members]

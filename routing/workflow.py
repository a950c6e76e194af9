"""Workflow descriptions: what a workflow can do, what it accepts, what it costs, how it runs.

A workflow is either a subclass of ``BaseAdvancedWorkflow`` that sets class attributes and
overrides ``execute``, or a plain instance built with keyword arguments and an ``executor``
callable. Loader nodes (one per family) build these; the router only reads them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from .capabilities import (
    DEFAULT_REQUIRED_INPUTS,
    INPUT_TYPED_CAPABILITIES,
    Capability,
    WorkflowType,
    parse_capability,
    parse_workflow_type,
)
from .request import WorkflowRequest

GIB = 1024**3
MIB = 1024**2

_INPUT_PHRASES = {
    "image": "an input image",
    "mask": "an input mask",
    "video": "an input video",
    "reference_images": "at least one reference image",
}


@dataclass(frozen=True)
class RequestRules:
    """The requests a workflow accepts.

    ``resolution_multiple`` is VAE factor × patch size (16 for most families, 32 for Wan2.2 5B).
    ``required_inputs`` overrides the capability defaults of ``DEFAULT_REQUIRED_INPUTS``.
    """

    resolution_multiple: int = 16
    frames_4n_plus_1: bool = True  # only applied to video requests
    max_frames: Optional[int] = None
    max_side: Optional[int] = None
    required_inputs: Mapping[Capability, frozenset[str]] = field(default_factory=dict)

    def inputs_for(self, capability: Capability) -> frozenset[str]:
        if capability in self.required_inputs:
            return frozenset(self.required_inputs[capability])
        return DEFAULT_REQUIRED_INPUTS.get(capability, frozenset())


@dataclass(frozen=True)
class MemoryModel:
    """Peak device memory ≈ weights + overhead + bytes-per-token × tokens (× 2 when cfg > 1).

    Linear in tokens because ComfyUI uses memory-efficient attention. The per-token figure is a
    prior; the router corrects the whole estimate with measured peaks from history.
    """

    activation_bytes_per_token: float = 256 * 1024
    overhead_bytes: int = 1 * GIB

    def activation_bytes(self, request: WorkflowRequest, spatial_multiple: int) -> int:
        tokens = request.token_count(spatial_multiple)
        return int(self.overhead_bytes + self.activation_bytes_per_token * tokens * request.cfg_multiplier)


@dataclass(frozen=True)
class ExecutionOutput:
    """What an executor may return instead of a bare dict, to report its own peak memory."""

    outputs: dict[str, Any]
    peak_memory_bytes: Optional[int] = None


Executor = Callable[[WorkflowRequest], "dict[str, Any] | ExecutionOutput"]


class BaseAdvancedWorkflow:
    """A routable workflow. Class attributes are the defaults; constructor keywords override them.

    ``capabilities`` maps each supported capability to a quality prior in [0, 1]; the config's
    quality section takes precedence over these declared priors (see Router).
    """

    name: str = ""
    family: str = ""
    variant: str = ""
    workflow_type: WorkflowType = WorkflowType.VIDEO
    capabilities: Mapping[Capability, float] = {}
    parameter_count: int = 0
    weight_bytes: int = 0
    memory_model: MemoryModel = MemoryModel()
    rules: RequestRules = RequestRules()

    def __init__(
        self,
        *,
        name: Optional[str] = None,
        family: Optional[str] = None,
        variant: Optional[str] = None,
        workflow_type: WorkflowType | str | None = None,
        capabilities: Optional[Mapping[Capability | str, float]] = None,
        parameter_count: Optional[int] = None,
        weight_bytes: Optional[int] = None,
        memory_model: Optional[MemoryModel] = None,
        rules: Optional[RequestRules] = None,
        executor: Optional[Executor] = None,
    ) -> None:
        self.name = name if name is not None else (type(self).name or type(self).__name__)
        self.family = family if family is not None else type(self).family
        self.variant = variant if variant is not None else type(self).variant
        self.workflow_type = parse_workflow_type(workflow_type or type(self).workflow_type)
        declared = capabilities if capabilities is not None else type(self).capabilities
        self.capabilities = {parse_capability(c): float(q) for c, q in declared.items()}
        self.parameter_count = int(parameter_count if parameter_count is not None else type(self).parameter_count)
        self.weight_bytes = int(weight_bytes if weight_bytes is not None else type(self).weight_bytes)
        self.memory_model = memory_model or type(self).memory_model
        self.rules = rules or type(self).rules
        self._executor = executor

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} family={self.family!r} variant={self.variant!r}>"

    # -- capabilities -----------------------------------------------------------------------------
    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def unsupported_reason(self, capability: Capability) -> str:
        """Why the router excludes this workflow for a capability it does not serve (a subclass may say what
        would make it serve it)."""
        return f"does not support {capability}"

    def quality_prior(self, capability: Capability) -> float:
        return self.capabilities.get(capability, 0.0)

    # -- cost model -------------------------------------------------------------------------------
    def token_count(self, request: WorkflowRequest) -> int:
        """Transformer tokens of ``request`` for this workflow's VAE factor × patch size."""
        return request.token_count(self.rules.resolution_multiple)

    def estimate_memory(self, request: WorkflowRequest) -> int:
        """Predicted peak bytes before any measurement: weights + activations for this request."""
        return self.weight_bytes + self.memory_model.activation_bytes(request, self.rules.resolution_multiple)

    # -- request rules ----------------------------------------------------------------------------
    def validate_request(self, request: WorkflowRequest) -> list[str]:
        """Every reason this workflow cannot run ``request``, in words a user can act on; [] if OK."""
        if not self.supports(request.capability):
            supported = ", ".join(sorted(c.value for c in self.capabilities)) or "nothing"
            return [f"{self.name} does not support {request.capability} (supports: {supported})"]
        if request.capability in INPUT_TYPED_CAPABILITIES:
            mismatch = self._output_type_problem(request)
            if mismatch:
                return [mismatch]
        reasons: list[str] = []
        multiple = self.rules.resolution_multiple
        for axis in ("width", "height"):
            value = getattr(request, axis)
            if value % multiple:
                reasons.append(f"{axis}={value} is not a multiple of {multiple} ({_nearest_multiples(value, multiple)})")
            if self.rules.max_side is not None and value > self.rules.max_side:
                reasons.append(f"{axis}={value} exceeds the maximum of {self.rules.max_side}")
        if request.is_video and self.workflow_type is WorkflowType.VIDEO:
            reasons.extend(self._frame_problems(request.frames))
        for needed in sorted(self.rules.inputs_for(request.capability) - request.inputs_present()):
            reasons.append(f"{request.capability} needs {_INPUT_PHRASES.get(needed, needed)}")
        return reasons

    def _output_type_problem(self, request: WorkflowRequest) -> Optional[str]:
        """An input-typed capability (super resolution) is served for the workflow's own output type only."""
        video_workflow = self.workflow_type is WorkflowType.VIDEO
        if request.is_video == video_workflow:
            return None
        if video_workflow:
            return (f"{self.name} does {request.capability} of videos; an image without a video asks for an "
                    f"upscaled image: wire the frames to video (or nothing, to make the video first), or wire an "
                    f"image workflow for the image")
        return (f"{self.name} does {request.capability} of images: it needs an input image (and no video; a video is "
                f"upscaled by a video workflow)")

    def _frame_problems(self, frames: int) -> list[str]:
        problems = []
        if self.rules.frames_4n_plus_1 and (frames - 1) % 4:
            lower = frames - (frames - 1) % 4
            problems.append(f"frames={frames} is not 4n+1 (use {lower} or {lower + 4})")
        if self.rules.max_frames is not None and frames > self.rules.max_frames:
            problems.append(f"frames={frames} exceeds the maximum of {self.rules.max_frames}")
        return problems

    # -- execution --------------------------------------------------------------------------------
    def execute(self, request: WorkflowRequest) -> "dict[str, Any] | ExecutionOutput":
        """Run the workflow. Subclasses override this, or pass ``executor=`` to the constructor."""
        if self._executor is None:
            raise NotImplementedError(f"workflow {self.name!r} has no executor")
        return self._executor(request)


def _nearest_multiples(value: int, multiple: int) -> str:
    lower = value - value % multiple
    upper = lower + multiple
    return f"use {lower} or {upper}" if lower > 0 else f"use {upper}"

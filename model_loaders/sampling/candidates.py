"""The router's candidates for one prompt: exactly the workflows wired to the node, each as this prompt sees it
(a given CONDITIONING that does not fit its context width excludes it, with the reason)."""
from __future__ import annotations

from .router_inputs import conditioning_width
from .routing_types import BaseAdvancedWorkflow, WorkflowRegistry


class WiredWorkflow(BaseAdvancedWorkflow):
    """A wired ModelWorkflow with this prompt's extra exclusion reasons; same name, so history is shared."""

    def __init__(self, workflow, extra_reasons: list[str]):
        super().__init__(name=workflow.name, family=workflow.family, variant=workflow.variant,
                         workflow_type=workflow.workflow_type, capabilities=workflow.capabilities,
                         parameter_count=workflow.parameter_count, weight_bytes=workflow.weight_bytes,
                         memory_model=workflow.memory_model, rules=workflow.rules)
        self.workflow = workflow
        self.extra_reasons = list(extra_reasons)

    def estimate_memory(self, request):
        return self.workflow.estimate_memory(request)

    def validate_request(self, request):
        reasons = self.workflow.validate_request(request)
        if not self.workflow.supports(request.capability):
            return reasons
        return self.extra_reasons + reasons

    def unsupported_reason(self, capability):
        return self.workflow.unsupported_reason(capability)

    def execute(self, request):
        return self.workflow.execute(request)


def conditioning_problems(workflow, positive, negative, context_width) -> list[str]:
    """Why the given CONDITIONING cannot drive `workflow` (context width per its family), [] if it can."""
    needed = context_width(workflow)
    problems = []
    for name, cond in (("positive", positive), ("negative", negative)):
        if cond is None:
            continue
        width = conditioning_width(cond)
        if width is None:
            problems.append(f"the {name} input is not ComfyUI CONDITIONING ([[tensor, dict], ...])")
        elif width != needed:
            problems.append(f"the {name} CONDITIONING is {width} wide but {workflow.family} {workflow.variant} "
                            f"needs {needed} (its text encoder's width): wire conditioning from this family's "
                            f"text encoder, or leave positive/negative unwired to encode the prompt")
    return problems


def build_registry(workflows, positive=None, negative=None, context_width_of=None) -> tuple[WorkflowRegistry, list[str]]:
    """A registry of the wired workflows only (never the process-wide one) and notes on duplicates.

    `context_width_of(workflow) -> int` is the family's context width (only needed with CONDITIONING)."""
    registry = WorkflowRegistry()
    notes = []
    for slot, workflow in workflows:
        if workflow.name in registry:
            notes.append(f"{slot}: {workflow.name} is wired more than once; used once")
            continue
        extra = []
        if positive is not None or negative is not None:
            extra = conditioning_problems(workflow, positive, negative, context_width_of)
        registry.register(WiredWorkflow(workflow, extra), category=workflow.family)
    return registry, notes

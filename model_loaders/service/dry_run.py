"""POST /storycore/route: what the router node would decide for a request, without loading or running anything.

The body is normalised by the node's own code (sampling.routing_run.routing_request: auto values from the
templates, rounding), the candidates are built by its own code (sampling.candidates.build_registry, with the
context-width check when the caller says it will wire CONDITIONING), and routing's Router decides on the same
history, config and circuit breaker the node uses. Tensor inputs are stood in for by `Present`: routing reads
only whether they are there and, for reference images, how many."""
from __future__ import annotations

from dataclasses import fields

from ...routing import NoEligibleWorkflowError, Router
from ..sampling.candidates import build_registry
from ..sampling.report import decision_view
from ..sampling.router_inputs import RouterInputs
from ..sampling.routing_run import routing_request
from ..sampling.runner import family_recipes
from ..sampling.settings import Overrides
from .bodies import BodyError, RouteBody
from .public import public

MAX_NAMES_LISTED = 20


class Present:
    """Stands for a tensor a dry run does not have (only its presence and batch size matter to routing)."""

    def __init__(self, *shape: int):
        self.shape = tuple(shape)


def wired_workflows(names, registry) -> list[tuple[str, object]]:
    """(slot, workflow) as the node would see them wired; BodyError naming an unknown workflow."""
    known = {wf.name: wf for wf in registry.workflows()}
    if names is None:
        names = list(known)
    for i, name in enumerate(names):
        if name not in known:
            listed = ", ".join(list(known)[:MAX_NAMES_LISTED]) or "none yet: run a StoryCore loader node once"
            raise BodyError(f"workflows[{i}]", f"{name!r} is not registered in this server; registered: {listed}")
    return [(f"workflow_{n}", known[name]) for n, name in enumerate(names, 1)]


def router_inputs(body: RouteBody, config) -> RouterInputs:
    values = body.values
    present = body.inputs
    positive = None
    if body.conditioning_width is not None:
        positive = [[Present(1, 1, body.conditioning_width), {}]]
    return RouterInputs(
        overrides=Overrides(**{f.name: values[f.name] for f in fields(Overrides)}), config=config,
        positive=positive,
        **{name: Present(count, 1, 1, 1) for name, count in present.items()})


def dry_run(body: RouteBody, registry, services) -> dict:
    values = body.values
    wired = wired_workflows(body.workflows, registry)
    inputs = router_inputs(body, services.configs.get())
    candidates, wiring_notes = build_registry(wired, inputs.positive, inputs.negative,
                                              lambda wf: family_recipes(wf.family).context_width(wf))
    request, notes = routing_request(values["prompt"], values["negative_prompt"], values["capability"],
                                     values["strategy"], inputs, wired, memory_budget_gb=values["memory_budget_gb"],
                                     time_limit_s=values["time_limit_s"])
    answer = {
        "request": {"capability": str(request.capability), "strategy": values["strategy"],
                    "width": request.width, "height": request.height, "frames": request.frames,
                    "steps": request.steps, "cfg": request.cfg, "inputs": sorted(request.inputs_present()),
                    "memory_budget_bytes": request.memory_budget_bytes, "time_limit_s": request.time_limit_s,
                    "notes": wiring_notes + notes},
        "workflows": [wf.name for _, wf in wired],
    }
    router = Router(candidates, services.history, services.configs, services.breaker)
    if not wired:
        return public(dict(answer, decision=None, candidates=[], excluded={},
                           error="no workflow is registered in this server: run a StoryCore loader node once"))
    try:
        decision = router.route(request)
    except NoEligibleWorkflowError as exc:
        return public(dict(answer, decision=None, candidates=[], excluded=dict(exc.reasons), error=str(exc)))
    answer["request"]["strategy"] = str(decision.strategy)
    return public(dict(answer, decision=decision_view(decision),
                       candidates=[c.to_dict() for c in decision.candidates],
                       excluded={c.workflow: c.excluded_reason for c in decision.candidates if not c.eligible},
                       error=None))

"""One prompt of the StoryCore Advanced Router: normalise the request, route among the wired workflows, run,
fall back, and explain. The node class is a thin adapter over `run_router`.

Process-wide (created lazily, shared by every prompt): the performance history in ComfyUI's user directory
(<user dir>/storycore), the routing config (routing.ConfigManager: STORYCORE_CONFIG or the defaults, hot
reload, over the families' templates and priors) and the circuit breaker. Per prompt: the registry of the wired workflows and the manager over it.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Optional

from ..families import routing_defaults
from .candidates import build_registry
from .router_inputs import RouterInputs
from .routing_types import (CircuitBreaker, ConfigManager, HistoryStore, InvalidRequestError, WorkflowManager,
                            WorkflowRequest, is_video_request, parse_capability)
from .settings import round_to_4n_plus_1, round_to_multiple

GIB = 1024**3
CONFIG_STRATEGY = "config"


@dataclass
class Services:
    history: HistoryStore
    configs: ConfigManager
    breaker: CircuitBreaker


_services: Optional[Services] = None
_lock = threading.Lock()


def services(history_dir=None) -> Services:
    """The process-wide history store, config manager and breaker (history under ComfyUI's user directory)."""
    global _services
    with _lock:
        if _services is None:
            configs = ConfigManager(base=routing_defaults())  # the families' templates and priors
            if history_dir is None:
                import os

                import folder_paths
                history_dir = configs.get().performance.history_dir or os.path.join(
                    folder_paths.get_user_directory(), "storycore")
            config = configs.get()
            _services = Services(HistoryStore(history_dir, half_life=config.performance.recency_half_life),
                                 configs, CircuitBreaker())
        return _services


class RouterError(RuntimeError):
    """The router could not produce a result; the message says why and what to change."""


def _lcm(values) -> int:
    out = 1
    for v in values:
        out = out * v // math.gcd(out, v)
    return out


def routing_request(prompt: str, negative_prompt: str, capability: str, strategy: str, inputs: RouterInputs,
                    workflows, *, memory_budget_gb: float, time_limit_s: float) -> tuple[WorkflowRequest, list[str]]:
    """The one request the router decides on, and notes on how it was normalised.

    Raises InvalidRequestError for an unknown capability or strategy. Auto values take the largest template default among the wired workflows serving the capability (a budget
    is then checked against the largest job); sizes are rounded to a multiple every candidate accepts and
    frames to 4n+1. Each attempt then resolves its own settings from its own template (runner.settings_for)."""
    try:
        capability = parse_capability(capability)
    except ValueError as exc:
        raise InvalidRequestError(str(exc)) from None
    config = inputs.config
    serving = [wf for _, wf in workflows if str(capability) in {str(c) for c in wf.capabilities}]
    templates = [config.family(wf.family).defaults_for(capability, wf.variant) for wf in serving]
    templates = [t for t in templates if t is not None]
    o = inputs.overrides
    notes = []

    def value(name, fallback):
        given = getattr(o, name)
        if given not in (0, "auto"):
            return given
        found = [getattr(t, name) for t in templates]
        return max(found) if found else fallback

    multiple = _lcm(wf.rules.resolution_multiple for wf in serving) if serving else 16
    width, height = value("width", 832), value("height", 480)
    rw, rh = round_to_multiple(width, multiple), round_to_multiple(height, multiple)
    if (rw, rh) != (width, height):
        notes.append(f"size {width}x{height} rounded to {rw}x{rh} for routing (a multiple of {multiple} every "
                     f"candidate accepts; each attempt rounds to its own multiple)")
    video = is_video_request(capability, has_image=inputs.image is not None, has_video=inputs.video is not None)
    frames = 1
    if video:
        asked = value("frames", 81)
        frames = round_to_4n_plus_1(asked)
        if frames != asked:
            notes.append(f"frames {asked} rounded to {frames} (4n+1)")
    request = WorkflowRequest(
        prompt=prompt, capability=capability, negative_prompt=negative_prompt,
        has_image=inputs.image is not None, has_mask=inputs.mask is not None, has_video=inputs.video is not None,
        reference_images=0 if inputs.reference_image is None else int(inputs.reference_image.shape[0]),
        width=rw, height=rh, frames=frames, steps=int(value("steps", 20)), cfg=float(value("cfg", 5.0)),
        seed=int(o.seed), time_limit_s=time_limit_s or None,
        memory_budget_bytes=int(memory_budget_gb * GIB) if memory_budget_gb else None,
        strategy=None if strategy == CONFIG_STRATEGY else strategy, payload=inputs)
    return request, notes


def run_router(*, prompt: str, negative_prompt: str, capability: str, strategy: str, inputs: RouterInputs,
               workflows: list, memory_budget_gb: float = 0.0, time_limit_s: float = 0.0, context_width_of=None,
               history_dir=None):
    """Route and run; returns (outputs, report dict). Raises RouterError (with the report in the message) when
    nothing could run; a user interrupt propagates unchanged."""
    from .memory_cleanup import free_after_out_of_memory, free_device_memory
    from .report import build_report

    t0 = time.perf_counter()
    svc = services(history_dir)
    if not workflows:
        raise RouterError(f"no workflow is wired to the router: connect a StoryCore loader (Wan, HunyuanVideo, "
                          f"Qwen-Image or NewBie) that serves {capability} to workflow_1")
    registry, wiring_notes = build_registry(workflows, inputs.positive, inputs.negative, context_width_of)
    request, notes = routing_request(prompt, negative_prompt, capability, strategy, inputs, workflows,
                                     memory_budget_gb=memory_budget_gb, time_limit_s=time_limit_s)
    manager = WorkflowManager(registry, svc.history, svc.configs, breaker=svc.breaker,
                              cleanup=free_after_out_of_memory, free_memory=free_device_memory)
    result = manager.execute_workflow(request)
    report = build_report(request, result, inputs, wiring_notes + notes, overhead_s=time.perf_counter() - t0)
    if not result.success:
        raise RouterError(failure_message(capability, result, report, memory_budget_gb, time_limit_s))
    return result.outputs, report


# routing's exclusion reasons for the request's own limits (routing.router._screen_one) -> the node input to change
LIMIT_REASONS = (("exceeds the budget", "memory_budget_gb", "GiB"), ("exceeds the limit", "time_limit_s", "s"))


def limit_hints(reasons: dict, memory_budget_gb: float, time_limit_s: float) -> list[str]:
    """A line naming the node input to change for each of the request's limits that excluded a candidate."""
    values = {"memory_budget_gb": memory_budget_gb, "time_limit_s": time_limit_s}
    hints = []
    for phrase, name, unit in LIMIT_REASONS:
        excluded = sorted(n for n, why in reasons.items() if phrase in why)
        if excluded:
            hints.append(f"{name} = {values[name]:g} {unit} excludes {', '.join(excluded)}: raise {name} (0 = no "
                         f"limit) or wire a smaller workflow")
    return hints


def failure_message(capability, result, report, memory_budget_gb: float = 0.0, time_limit_s: float = 0.0) -> str:
    import json
    exc = result.exception
    reasons = getattr(exc, "reasons", None)
    if result.decision is None and isinstance(reasons, dict):
        lines = [f"StoryCore Advanced Router: no wired workflow can do {capability}. Per candidate:"]
        lines += [f"- {name}: {why}" for name, why in sorted(reasons.items())]
        lines += limit_hints(reasons, memory_budget_gb, time_limit_s)
        lines.append("Wire a workflow that serves it, or change the request as the reasons say.")
        return "\n".join(lines)
    return (f"StoryCore Advanced Router: {result.error}\nreport: " + json.dumps(report, indent=1, default=str))

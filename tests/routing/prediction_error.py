"""Prediction error table through the public API: fake executors on a fake clock.

A workflow is run at a few sizes by a ``WorkflowManager`` whose timer is a fake clock that each
run advances by a cost function; the table then compares ``Router.predict`` with that cost at other
sizes. Shared by the tests (asserted: the clock is deterministic, nothing is timed) and by
benchmarks/bench_routing.py (printed, also for times measured on tiny models).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from routing import (
    BaseAdvancedWorkflow,
    Capability,
    HistoryStore,
    RoutingConfig,
    WorkflowManager,
    WorkflowRegistry,
    WorkflowRequest,
    WorkflowType,
)

Size = tuple[int, int, int]  # width, height, frames
CostFn = Callable[[WorkflowRequest], float]

# The example: three measured runs, then sizes between, above (up to 2.5x the largest
# token count seen and the 3.7x of 720p) and below.
FIT_SIZES: tuple[Size, ...] = ((480, 272, 17), (640, 368, 33), (832, 480, 49))
EVAL_SIZES: tuple[Size, ...] = (
    (320, 192, 9), (480, 272, 17), (480, 272, 33), (640, 368, 49), (832, 480, 33), (832, 480, 49),
    (832, 480, 65), (832, 480, 81), (1024, 576, 65), (1024, 576, 81), (1056, 592, 81), (1280, 720, 81),
)


@dataclass(frozen=True)
class SyntheticCost:
    """fixed + steps × cfg multiplier × (linear · tokens + quadratic · tokens²), in seconds."""

    fixed_s: float = 20.0
    linear_s: float = 2e-4
    quadratic_s: float = 6e-9
    spatial_multiple: int = 16

    def __call__(self, request: WorkflowRequest) -> float:
        t = request.token_count(self.spatial_multiple)
        return self.fixed_s + request.steps * request.cfg_multiplier * (self.linear_s * t + self.quadratic_s * t * t)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def t2v(size: Size, steps: int = 20, cfg: float = 6.0, **kw) -> WorkflowRequest:
    width, height, frames = size
    return WorkflowRequest("a fox in the snow", Capability.TEXT_TO_VIDEO, width=width, height=height,
                           frames=frames, steps=steps, cfg=cfg, **kw)


def timed_workflow(name: str, cost: CostFn, clock: FakeClock, params: float = 14e9,
                   factors: Optional[list[float]] = None) -> BaseAdvancedWorkflow:
    """A workflow whose runs take ``cost(request)`` on ``clock`` (× the next of ``factors``, if any)."""
    pending = list(factors or [])

    def run(request: WorkflowRequest) -> dict:
        clock.now += cost(request) * (pending.pop(0) if pending else 1.0)
        return {"video": name}

    return BaseAdvancedWorkflow(name=name, family="wan", variant=name, workflow_type=WorkflowType.VIDEO,
                                capabilities={Capability.TEXT_TO_VIDEO: 0.8}, parameter_count=int(params),
                                weight_bytes=int(params), executor=run)


def fitted_manager(cost: CostFn, fit_sizes: Sequence[Size], *, steps: int = 20, cfg: float = 6.0,
                   factors: Optional[list[float]] = None, store: Optional[HistoryStore] = None,
                   ) -> tuple[WorkflowManager, BaseAdvancedWorkflow]:
    """A manager with one workflow that has run once at each of ``fit_sizes``."""
    clock = FakeClock()
    registry = WorkflowRegistry()
    workflow = registry.register(timed_workflow("wf", cost, clock, factors=factors))
    manager = WorkflowManager(registry, store if store is not None else HistoryStore(None), RoutingConfig(),
                              timer=clock, wall_clock=clock)
    for size in fit_sizes:
        result = manager.execute_workflow(t2v(size, steps, cfg))
        assert result.success, result.error
    return manager, workflow


@dataclass(frozen=True)
class ErrorRow:
    size: Size
    tokens: int
    times_largest: float  # tokens / the largest token count the fit saw
    predicted_s: float
    actual_s: float
    low_s: float
    high_s: float
    basis: str

    @property
    def error(self) -> float:
        return self.predicted_s / self.actual_s - 1.0

    @property
    def within_range(self) -> bool:
        return self.low_s <= self.actual_s <= self.high_s


def error_table(cost: CostFn, fit_sizes: Sequence[Size] = FIT_SIZES, eval_sizes: Sequence[Size] = EVAL_SIZES,
                *, steps: int = 20, cfg: float = 6.0, factors: Optional[list[float]] = None) -> list[ErrorRow]:
    manager, workflow = fitted_manager(cost, fit_sizes, steps=steps, cfg=cfg, factors=factors)
    largest = max(workflow.token_count(t2v(s, steps, cfg)) for s in fit_sizes)
    rows = []
    for size in eval_sizes:
        request = t2v(size, steps, cfg)
        p = manager.router.predict(workflow, request).time
        rows.append(ErrorRow(size, p.tokens, p.tokens / largest, p.seconds, cost(request), p.low_s, p.high_s,
                             p.basis))
    manager.history.close()
    return rows


def format_table(rows: Sequence[ErrorRow]) -> str:
    lines = [f"{'size':<14}{'tokens':>8}{'x largest':>10}{'predicted s':>13}{'actual s':>11}{'error':>8}"
             f"{'range s':>20}  basis"]
    for r in rows:
        w, h, f = r.size
        lines.append(f"{f'{w}x{h}x{f}':<14}{r.tokens:>8}{r.times_largest:>10.2f}{r.predicted_s:>13.2f}"
                     f"{r.actual_s:>11.2f}{100 * r.error:>+7.1f}%{f'{r.low_s:.1f}-{r.high_s:.1f}':>20}  {r.basis}")
    return "\n".join(lines)

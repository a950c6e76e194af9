"""The router: hard constraints first, then the strategy's score, then a reasoned decision.

Determinism: the candidates are visited in name order, scores are pure functions of the request,
the config and the history aggregates, and ties are broken by name. ``route`` never writes; the
round-robin position moves only through ``advance_round_robin`` (the manager calls it).

Hard constraints, in order: capability, the workflow's request rules, an open circuit, an
out-of-memory limit (the workflow ran out of memory at this token count or a smaller one, and the
request's budget is not larger than the memory available then: ``aggregates.OomLimit``), the
memory budget, the time limit. Each excluded workflow keeps its reason in the breakdown.

Confidence (0..1) = 0.5 × data + 0.5 × margin, where data = n / (n + 3) with n the effective
number of measured runs behind the figure the strategy ranks on (time, memory or success), and
margin = min(1, (best - runner_up) / best / 0.2): a 20 % lead counts as a clear win. With no
history a decision is therefore at most 0.5 confident. Round robin is always 1.0 (nothing to guess).
"""
from __future__ import annotations

from typing import Callable, Optional, Union

from .capabilities import Strategy, parse_strategy
from .circuit_breaker import CircuitBreaker
from .config import RoutingConfig
from .config_manager import ConfigManager
from .errors import NoEligibleWorkflowError
from .estimators import Estimate, estimate
from .history import HistoryStore, OomLimit, WorkflowStats
from .registry import WorkflowRegistry, default_registry
from .request import WorkflowRequest
from .result import CandidateBreakdown, RoutingDecision
from .strategies import SCORERS, Scored, rotation, score_round_robin
from .workflow import BaseAdvancedWorkflow

ConfigSource = Union[RoutingConfig, ConfigManager, Callable[[], RoutingConfig], None]
GIB = 1024**3


def config_provider(config: ConfigSource) -> Callable[[], RoutingConfig]:
    """Normalise a config, a ConfigManager (hot reload) or a callable into a callable."""
    if config is None:
        fixed = RoutingConfig()
        return lambda: fixed
    if isinstance(config, RoutingConfig):
        return lambda: config
    if isinstance(config, ConfigManager):
        return config.get
    return config


class Router:
    def __init__(
        self,
        registry: Optional[WorkflowRegistry] = None,
        history: Optional[HistoryStore] = None,
        config: ConfigSource = None,
        breaker: Optional[CircuitBreaker] = None,
    ) -> None:
        self.registry = registry if registry is not None else default_registry()
        self.history = history
        self._config = config_provider(config)
        self.breaker = breaker if breaker is not None else CircuitBreaker()
        self._rr_memory: dict[str, str] = {}  # round-robin positions when there is no store

    @property
    def config(self) -> RoutingConfig:
        return self._config()

    # -- public API -------------------------------------------------------------------------------
    def route(self, request: WorkflowRequest, strategy: Strategy | str | None = None) -> RoutingDecision:
        """Pick a workflow for ``request``. Raises NoEligibleWorkflowError with per-candidate reasons."""
        config = self._config()
        chosen = parse_strategy(strategy or request.strategy or config.routing.default_strategy)
        self.breaker.configure(config.performance.breaker_failure_threshold, config.performance.breaker_cooldown_s)
        stats = self.history.stats_for(request.capability) if self.history is not None else {}
        limits = self.history.oom_limits() if self.history is not None else {}
        estimates, excluded = self._screen(request, config, stats, limits)
        if not estimates:
            raise NoEligibleWorkflowError(str(request.capability), excluded)
        scored = self._score(chosen, request, estimates, config)
        order = sorted(scored, key=lambda n: (-scored[n][0], n))
        return self._decision(request, chosen, order, scored, estimates, excluded)

    def predict(self, workflow: BaseAdvancedWorkflow, request: WorkflowRequest) -> Estimate:
        """The estimate the router would use for one workflow (for reports and loader nodes)."""
        stats = self.history.stats_for(request.capability).get(workflow.name) if self.history else None
        return estimate(workflow, request, stats, self._config())

    def advance_round_robin(self, decision: RoutingDecision) -> None:
        """Remember the selected workflow so the next round-robin decision moves on."""
        if decision.strategy is not Strategy.ROUND_ROBIN:
            return
        if self.history is not None:
            self.history.set_round_robin_last(decision.capability, decision.selected)
        else:
            self._rr_memory[str(decision.capability)] = decision.selected

    # -- steps ------------------------------------------------------------------------------------
    def _screen(
        self, request: WorkflowRequest, config: RoutingConfig, stats: dict[str, WorkflowStats],
        limits: dict[str, OomLimit],
    ) -> tuple[dict[str, Estimate], dict[str, str]]:
        """Apply the hard constraints; estimates for the eligible, a reason for everyone else."""
        estimates: dict[str, Estimate] = {}
        excluded: dict[str, str] = {}
        for wf in self.registry.workflows():
            name = wf.name
            if name in estimates or name in excluded:
                excluded.setdefault(name + f" [{wf.family}]", "duplicate workflow name; first registration used")
                continue
            reason, est = self._screen_one(wf, request, config, stats.get(name), limits.get(name))
            if reason is None:
                estimates[name] = est
            else:
                excluded[name] = reason
        return estimates, excluded

    def _screen_one(
        self,
        wf: BaseAdvancedWorkflow,
        request: WorkflowRequest,
        config: RoutingConfig,
        stats: Optional[WorkflowStats],
        oom_limit: Optional[OomLimit] = None,
    ) -> tuple[Optional[str], Optional[Estimate]]:
        """(why the workflow is excluded, None) or (None, its estimate)."""
        if not wf.supports(request.capability):
            return wf.unsupported_reason(request.capability), None
        problems = wf.validate_request(request)
        if problems:
            return "; ".join(problems), None
        open_reason = self.breaker.exclusion_reason(wf.name)
        if open_reason:
            return open_reason, None
        if oom_limit is not None:
            tokens = wf.token_count(request)
            if oom_limit.excludes(tokens, request.memory_budget_bytes):
                return oom_limit.reason(tokens), None
        est = estimate(wf, request, stats, config)
        budget = request.memory_budget_bytes
        if budget is not None and est.memory_bytes > budget:
            return f"predicted memory {est.memory_bytes / GIB:.2f} GiB exceeds the budget of {budget / GIB:.2f} GiB", None
        limit = request.time_limit_s
        if limit is not None and est.time_s > limit:
            return f"predicted time {est.time_s:.1f}s exceeds the limit of {limit:.1f}s", None
        return None, est

    def _score(
        self, strategy: Strategy, request: WorkflowRequest, estimates: dict[str, Estimate], config: RoutingConfig
    ) -> Scored:
        if strategy is Strategy.ROUND_ROBIN:
            cap = str(request.capability)
            last = self.history.round_robin_last(cap) if self.history is not None else self._rr_memory.get(cap)
            return score_round_robin(rotation(list(estimates), last))
        return SCORERS[strategy](estimates, config)

    def _decision(
        self,
        request: WorkflowRequest,
        strategy: Strategy,
        order: list[str],
        scored: Scored,
        estimates: dict[str, Estimate],
        excluded: dict[str, str],
    ) -> RoutingDecision:
        candidates = [_breakdown(n, scored[n], estimates[n]) for n in order]
        candidates.extend(CandidateBreakdown(workflow=n, eligible=False, excluded_reason=why) for n, why in excluded.items())
        best = estimates[order[0]]
        return RoutingDecision(
            capability=request.capability,
            strategy=strategy,
            selected=order[0],
            fallbacks=tuple(order[1:]),
            candidates=tuple(candidates),
            predicted_time_s=best.time_s,
            predicted_memory_bytes=best.memory_bytes,
            confidence=_confidence(strategy, order, scored, best),
        )


def _breakdown(name: str, scored: tuple[float, dict[str, float]], est: Estimate) -> CandidateBreakdown:
    return CandidateBreakdown(
        workflow=name,
        eligible=True,
        score=scored[0],
        terms=scored[1],
        predicted_time_s=est.time_s,
        predicted_memory_bytes=est.memory_bytes,
        history_samples=est.time_samples,
        time_prediction=est.time,
    )


def _confidence(strategy: Strategy, order: list[str], scored: Scored, best: Estimate) -> float:
    if strategy is Strategy.ROUND_ROBIN:
        return 1.0
    samples = {
        Strategy.FASTEST: best.time_samples,
        Strategy.BALANCED: best.time_samples,
        Strategy.LEAST_MEMORY: best.memory_samples,
        Strategy.BEST_QUALITY: best.success_samples,
    }[strategy]
    data = samples / (samples + 3.0)
    top = scored[order[0]][0]
    if len(order) < 2 or top <= 0:
        margin = 1.0
    else:
        margin = min(1.0, (top - scored[order[1]][0]) / top / 0.2)
    return round(0.5 * data + 0.5 * margin, 4)

"""The manager: route, run, fall back, record. The one entry point the router node calls.

Policy per failed attempt (see ``errors.classify_exception``):
- out of memory / retryable: run the cleanup hook, then the next fallback (up to
  ``routing.max_fallbacks``);
- invalid request: stop at once (another workflow would reject it too);
- user interrupt (ComfyUI's InterruptProcessingException, KeyboardInterrupt, any BaseException
  that is not an Exception): record the attempt, then re-raise;
- other errors: stop, unless ``routing.fallback_on_any_error`` is set.
Every attempt is written to the history store (with its token count and the memory available to
it: the request's budget and/or what ``free_memory`` reports, the smaller of the two) and listed
in the result. An out-of-memory attempt sets the workflow's OOM limit in the store instead of
counting towards its circuit breaker: it says the size was too big, not that the workflow is bad.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Optional, Protocol

from .circuit_breaker import CircuitBreaker
from .config import RoutingConfig
from .config_manager import ConfigManager, ConfigStatus
from .errors import ErrorKind, NoEligibleWorkflowError, classify_exception
from .history import HistoryStore, StoreStatus
from .registry import ValidationIssue, WorkflowRegistry, default_registry
from .request import WorkflowRequest
from .result import Attempt, AttemptOutcome, RoutingDecision, WorkflowResult
from .router import ConfigSource, Router, config_provider
from .workflow import BaseAdvancedWorkflow, ExecutionOutput

log = logging.getLogger(__name__)

Classifier = Callable[[BaseException, Iterable[str]], ErrorKind]
CleanupHook = Callable[[Attempt], None]

_OUTCOME = {
    ErrorKind.OUT_OF_MEMORY: AttemptOutcome.OUT_OF_MEMORY,
    ErrorKind.RETRYABLE: AttemptOutcome.RETRYABLE,
    ErrorKind.INVALID_REQUEST: AttemptOutcome.INVALID_REQUEST,
    ErrorKind.INTERRUPTED: AttemptOutcome.INTERRUPTED,
    ErrorKind.ERROR: AttemptOutcome.ERROR,
}


class PeakMemoryProbe(Protocol):
    """Optional device-memory probe (the ComfyUI layer wraps torch.cuda's peak counters)."""

    def reset(self) -> None: ...

    def peak_bytes(self) -> Optional[int]: ...


@dataclass(frozen=True)
class HealthReport:
    ok: bool
    registry_issues: list[ValidationIssue]
    workflows: int
    store: Optional[StoreStatus]
    config: Optional[ConfigStatus]
    open_circuits: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "workflows": self.workflows,
            "registry_issues": [str(i) for i in self.registry_issues],
            "store": asdict(self.store) if self.store else None,
            "config": asdict(self.config) if self.config else None,
            "open_circuits": dict(self.open_circuits),
        }


class WorkflowManager:
    """Synchronous orchestration (ComfyUI runs nodes synchronously); see module docstring.

    Everything is injectable so that tests and other programs share no hidden state: registry,
    history store, config (object, ConfigManager or callable), breaker, cleanup hook, error
    classifier, peak-memory probe and clocks.
    """

    def __init__(
        self,
        registry: Optional[WorkflowRegistry] = None,
        history: Optional[HistoryStore] = None,
        config: ConfigSource = None,
        *,
        router: Optional[Router] = None,
        breaker: Optional[CircuitBreaker] = None,
        cleanup: Optional[CleanupHook] = None,
        classifier: Classifier = classify_exception,
        memory_probe: Optional[PeakMemoryProbe] = None,
        timer: Callable[[], float] = time.perf_counter,
        wall_clock: Callable[[], float] = time.time,
        free_memory: Optional[Callable[[], Optional[int]]] = None,
    ) -> None:
        self._config_source = config
        self._config = config_provider(config)
        if history is None:
            history_dir = self._config().performance.history_dir
            history = HistoryStore(history_dir or None, half_life=self._config().performance.recency_half_life)
        self.history = history
        self.registry = registry if registry is not None else default_registry()
        self.router = router or Router(self.registry, history, self._config, breaker)
        self.cleanup = cleanup
        self.classifier = classifier
        self.memory_probe = memory_probe
        self._timer = timer
        self._wall_clock = wall_clock
        self.free_memory = free_memory  # device bytes free before an attempt (the ComfyUI layer's probe)

    @property
    def breaker(self) -> CircuitBreaker:
        return self.router.breaker

    # -- execution --------------------------------------------------------------------------------
    def execute_workflow(self, request: WorkflowRequest) -> WorkflowResult:
        """Route and run ``request``; never raises except to propagate a user interrupt."""
        try:
            decision = self.router.route(request)
        except NoEligibleWorkflowError as exc:
            return _failed([], None, str(exc), exc)
        self.router.advance_round_robin(decision)
        policy = self._config().routing
        order = decision.order[: 1 + policy.max_fallbacks]
        attempts: list[Attempt] = []
        last_error: Optional[BaseException] = None
        for name in order:
            workflow = self.registry.get(name)
            # The *uncorrected* model estimate: history learns measured / model, so the correction
            # never compounds on itself.
            predicted = workflow.estimate_memory(request)
            outputs, attempt, exc, kind = self._attempt(workflow, request, predicted, policy.retryable_errors)
            attempts.append(attempt)
            if exc is None:
                return WorkflowResult(True, outputs, name, attempt.execution_time_s, attempt.peak_memory_bytes,
                                      attempts, decision)
            last_error = exc
            if kind is ErrorKind.INTERRUPTED:
                raise exc
            if kind in (ErrorKind.OUT_OF_MEMORY, ErrorKind.RETRYABLE):
                self._run_cleanup(attempt)
                continue
            if kind is ErrorKind.ERROR and policy.fallback_on_any_error:
                continue
            break  # invalid request, or an error the policy does not fall back on
        message = _failure_message(attempts, len(order) < len(decision.order))
        return _failed(attempts, decision, message, last_error)

    async def execute_workflow_async(self, request: WorkflowRequest) -> WorkflowResult:
        """Same as execute_workflow, in a worker thread so the event loop is never blocked."""
        return await asyncio.to_thread(self.execute_workflow, request)

    def _attempt(
        self, workflow: BaseAdvancedWorkflow, request: WorkflowRequest, predicted: Optional[int],
        retryable: Iterable[str],
    ) -> tuple[dict[str, Any], Attempt, Optional[BaseException], Optional[ErrorKind]]:
        """Run one workflow; record the attempt (also when interrupted) and return it."""
        started_at = self._wall_clock()
        available = self._memory_available(request)
        if self.memory_probe is not None:
            self.memory_probe.reset()
        t0 = self._timer()
        outputs: dict[str, Any] = {}
        peak: Optional[int] = None
        error: Optional[BaseException] = None
        try:
            produced = workflow.execute(request)
            if isinstance(produced, ExecutionOutput):
                outputs, peak = dict(produced.outputs), produced.peak_memory_bytes
            else:
                outputs = dict(produced or {})
        except BaseException as exc:  # noqa: BLE001 - interrupts are re-raised by the caller
            error = exc
        elapsed = self._timer() - t0
        if peak is None and self.memory_probe is not None:
            peak = self.memory_probe.peak_bytes()
        kind = self.classifier(error, retryable) if error is not None else None
        attempt = Attempt(
            workflow=workflow.name,
            capability=request.capability,
            outcome=_OUTCOME[kind] if kind is not None else AttemptOutcome.SUCCESS,
            execution_time_s=elapsed,
            peak_memory_bytes=peak if error is None else None,
            error_class=type(error).__name__ if error is not None else None,
            error_message=str(error) if error is not None else None,
            started_at=started_at,
            tokens=workflow.token_count(request),
            memory_available_bytes=available,
        )
        self._record(attempt, request, predicted)
        return outputs, attempt, error, kind

    def _record(self, attempt: Attempt, request: WorkflowRequest, predicted: Optional[int]) -> None:
        """History and breaker; a broken store must not turn a finished job into a failure."""
        try:
            self.history.record_attempt(attempt, request, predicted)
        except Exception:  # noqa: BLE001
            log.exception("could not record attempt of %s", attempt.workflow)
        if attempt.outcome is AttemptOutcome.SUCCESS:
            self.breaker.record_success(attempt.workflow)
        elif attempt.outcome in (AttemptOutcome.RETRYABLE, AttemptOutcome.ERROR):
            self.breaker.record_failure(attempt.workflow)

    def _memory_available(self, request: WorkflowRequest) -> Optional[int]:
        """The smaller of the request's budget and the probe's free memory; None when neither is known."""
        known = [request.memory_budget_bytes] if request.memory_budget_bytes is not None else []
        if self.free_memory is not None:
            try:
                free = self.free_memory()
            except Exception:  # noqa: BLE001 - a broken probe must not stop the job
                log.exception("free-memory probe failed")
                free = None
            if free is not None:
                known.append(int(free))
        return min(known) if known else None

    def _run_cleanup(self, attempt: Attempt) -> None:
        if self.cleanup is None:
            return
        try:
            self.cleanup(attempt)
        except Exception:  # noqa: BLE001 - a failing cleanup must not hide the original failure
            log.exception("cleanup hook failed after %s", attempt.workflow)

    # -- health -----------------------------------------------------------------------------------
    def health_check(self) -> HealthReport:
        """Registry validation, store status and config status in one report."""
        issues = self.registry.validate()
        store = self.history.status()
        source = self._config_source
        config_status = source.status() if isinstance(source, ConfigManager) else ConfigStatus(None, True, "object")
        ok = store.ok and config_status.loaded and not any(i.severity == "error" for i in issues)
        return HealthReport(ok, issues, len(self.registry), store, config_status, self.breaker.open_workflows())

    @property
    def config(self) -> RoutingConfig:
        return self._config()


def _failure_message(attempts: list[Attempt], truncated: bool) -> str:
    last = attempts[-1]
    text = f"{len(attempts)} attempt(s) failed; last: {last.workflow} {last.outcome}"
    if last.error_class:
        text += f" ({last.error_class}: {last.error_message})"
    if truncated and last.outcome in (AttemptOutcome.OUT_OF_MEMORY, AttemptOutcome.RETRYABLE):
        text += "; max_fallbacks reached"
    return text


def _failed(
    attempts: list[Attempt], decision: Optional[RoutingDecision], message: str, exc: Optional[BaseException]
) -> WorkflowResult:
    return WorkflowResult(False, {}, None, sum(a.execution_time_s for a in attempts), None, attempts, decision,
                          error=message, exception=exc)

"""What routing and execution report back: decisions, candidate breakdowns, attempts, results."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from typing import Any, Optional

from .capabilities import Capability, Strategy
from .time_model import TimePrediction


class AttemptOutcome(str, Enum):
    SUCCESS = "success"
    OUT_OF_MEMORY = "out_of_memory"
    RETRYABLE = "retryable"
    ERROR = "error"
    INVALID_REQUEST = "invalid_request"
    INTERRUPTED = "interrupted"

    def __str__(self) -> str:
        return self.value


# Outcomes that say something about the workflow's reliability (feed success rate and breaker).
RELIABILITY_OUTCOMES = frozenset(
    {AttemptOutcome.SUCCESS, AttemptOutcome.OUT_OF_MEMORY, AttemptOutcome.RETRYABLE, AttemptOutcome.ERROR}
)


@dataclass(frozen=True)
class CandidateBreakdown:
    """One registered workflow as the router saw it for this request.

    Eligible candidates have a ``score`` (higher is better) and the ``terms`` it was built from;
    excluded ones have ``excluded_reason`` instead.
    """

    workflow: str
    eligible: bool
    score: Optional[float] = None
    terms: dict[str, float] = field(default_factory=dict)
    excluded_reason: Optional[str] = None
    predicted_time_s: Optional[float] = None
    predicted_memory_bytes: Optional[int] = None
    history_samples: float = 0.0
    # Eligible candidates: the time prediction with its range and basis (time_model.TimePrediction).
    time_prediction: Optional[TimePrediction] = None

    @property
    def predicted_time_range_s(self) -> Optional[tuple[float, float]]:
        p = self.time_prediction
        return (p.low_s, p.high_s) if p is not None else None

    @property
    def time_basis(self) -> Optional[str]:
        """One of "bootstrap", "rate", "linear", "quadratic" (time_model.py)."""
        return self.time_prediction.basis if self.time_prediction is not None else None

    @property
    def prediction_basis(self) -> Optional[str]:
        """The prediction in words: figure, range, runs and sizes behind it, extrapolation."""
        return self.time_prediction.describe() if self.time_prediction is not None else None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["terms"] = dict(self.terms)
        data["time_prediction"] = self.time_prediction.to_dict() if self.time_prediction is not None else None
        # The derived views too, so every consumer (router report, dry-run route) reads the same keys.
        data["prediction_basis"] = self.prediction_basis
        data["predicted_time_range_s"] = self.predicted_time_range_s
        return _jsonable(data)


@dataclass(frozen=True)
class RoutingDecision:
    """The router's answer: who runs, who is next, and why."""

    capability: Capability
    strategy: Strategy
    selected: str
    fallbacks: tuple[str, ...]
    candidates: tuple[CandidateBreakdown, ...]
    predicted_time_s: float
    predicted_memory_bytes: int
    confidence: float

    @property
    def order(self) -> tuple[str, ...]:
        return (self.selected, *self.fallbacks)

    def candidate(self, name: str) -> CandidateBreakdown:
        for c in self.candidates:
            if c.workflow == name:
                return c
        raise KeyError(name)

    @property
    def selected_candidate(self) -> CandidateBreakdown:
        return self.candidate(self.selected)

    @property
    def predicted_time_range_s(self) -> Optional[tuple[float, float]]:
        return self.selected_candidate.predicted_time_range_s

    @property
    def prediction_basis(self) -> str:
        """The selected workflow's time prediction in words."""
        return self.selected_candidate.prediction_basis or ""

    def explain(self) -> str:
        """Multi-line human summary for the router node's report output."""
        lines = [
            f"strategy={self.strategy} capability={self.capability} -> {self.selected} "
            f"(confidence {self.confidence:.2f}, ~{self.predicted_time_s:.1f}s, "
            f"~{self.predicted_memory_bytes / 1024**3:.1f} GiB)",
        ]
        basis = self.prediction_basis
        if basis:
            lines.append(f"prediction: {basis}")
        if self.fallbacks:
            lines.append("fallbacks: " + ", ".join(self.fallbacks))
        for c in self.candidates:
            if c.eligible:
                terms = ", ".join(f"{k}={v:.3g}" for k, v in c.terms.items())
                lines.append(f"  {c.workflow}: score {c.score:.4f} ({terms})")
                if c.prediction_basis:
                    lines.append(f"    time {c.prediction_basis}")
            else:
                lines.append(f"  {c.workflow}: excluded - {c.excluded_reason}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["candidates"] = [c.to_dict() for c in self.candidates]
        return _jsonable(data)


@dataclass(frozen=True)
class Attempt:
    """One try of one workflow, as written to the history store."""

    workflow: str
    capability: Capability
    outcome: AttemptOutcome
    execution_time_s: float
    peak_memory_bytes: Optional[int] = None
    error_class: Optional[str] = None
    error_message: Optional[str] = None
    started_at: float = 0.0  # wall-clock epoch seconds
    tokens: Optional[int] = None  # the request's token count for this workflow (its spatial multiple)
    # Device memory the attempt could use (the request's budget and/or free memory; None: unknown).
    memory_available_bytes: Optional[int] = None

    @property
    def succeeded(self) -> bool:
        return self.outcome is AttemptOutcome.SUCCESS


@dataclass
class WorkflowResult:
    """The manager's answer: outputs of the successful attempt, or why everything failed."""

    success: bool
    outputs: dict[str, Any]
    workflow: Optional[str]
    execution_time_s: float
    peak_memory_bytes: Optional[int]
    attempts: list[Attempt]
    decision: Optional[RoutingDecision]
    error: Optional[str] = None
    exception: Optional[BaseException] = field(default=None, repr=False, compare=False)

    def raise_for_failure(self) -> "WorkflowResult":
        """Re-raise the stopping exception (or a RuntimeError) when the run failed; else self."""
        if self.success:
            return self
        if self.exception is not None:
            raise self.exception
        raise RuntimeError(self.error or "workflow execution failed")

    def report(self) -> str:
        """Human summary: the decision, then every attempt."""
        parts = [self.decision.explain()] if self.decision else []
        for i, a in enumerate(self.attempts, 1):
            extra = f" {a.error_class}: {a.error_message}" if a.error_class else ""
            parts.append(f"attempt {i}: {a.workflow} {a.outcome} in {a.execution_time_s:.2f}s"
                         f"{self._predicted_vs_actual(a)}{extra}")
        parts.append("result: " + ("success with " + str(self.workflow) if self.success else f"failed ({self.error})"))
        return "\n".join(parts)

    def _predicted_vs_actual(self, attempt: Attempt) -> str:
        """The "(predicted X s, range, basis; actual +N%)" suffix of a successful attempt's line."""
        if self.decision is None or not attempt.succeeded:
            return ""
        try:
            c = self.decision.candidate(attempt.workflow)
        except KeyError:
            return ""
        if c.predicted_time_s is None:
            return ""
        text = f" (predicted {c.predicted_time_s:.2f}s"
        if c.predicted_time_range_s is not None:
            text += f", range {c.predicted_time_range_s[0]:.1f}-{c.predicted_time_range_s[1]:.1f}s"
        if c.time_basis:
            text += f", {c.time_basis}"
        if c.predicted_time_s > 0:
            text += f"; actual {100.0 * (attempt.execution_time_s / c.predicted_time_s - 1.0):+.0f}%"
        return text + ")"

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(
            {
                "success": self.success,
                "workflow": self.workflow,
                "execution_time_s": self.execution_time_s,
                "peak_memory_bytes": self.peak_memory_bytes,
                "attempts": [asdict(a) for a in self.attempts],
                "decision": self.decision.to_dict() if self.decision else None,
                "error": self.error,
                "output_keys": sorted(self.outputs),
            }
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(_jsonable(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value

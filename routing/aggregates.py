"""What the history store learns from each attempt: running aggregates and out-of-memory limits.

Pure Python, no SQL: ``history.HistoryStore`` persists these rows and replays attempts through
the same code when it rebuilds them (schema migration), so a rebuilt aggregate equals the one
built live.

Per (workflow, capability), recency-weighted (``sum = sum·d + x``, see history.py):
- the time model's normal-equation sums (``time_model.TimeSums``), distinct token counts seen and
  their range;
- the legacy seconds-per-work-unit mean (kept for readers of ``WorkflowStats``);
- measured / predicted peak-memory ratio;
- success rate over successes and non-memory failures (an OOM says "too big for this machine at
  this size", not "bad model"), and separately the share of attempts that ran out of memory.

Per workflow, the smallest token count that ran out of memory (``OomLimit``) and the memory
available then, when known: the router excludes the workflow at that size or above, for the same
or a smaller budget (or no budget), until a run at least that large succeeds.
``HistoryStore.clear_oom_limits`` forgets them (after a hardware change, say).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from .capabilities import is_video_capability, parse_capability
from .request import WorkflowRequest, latent_frame_count, token_count
from .result import RELIABILITY_OUTCOMES, Attempt, AttemptOutcome
from .time_model import SUM_FIELDS, TimeFit, TimeSums, features, fit

# Rows recorded before token counts were stored (schema 1) are counted with the most common
# spatial multiple (VAE factor 8 × patch 2).
DEFAULT_SPATIAL_MULTIPLE = 16
# The weight of a run in the time fit uses the model's prediction for it, kept within this factor
# of the measured time so that one badly extrapolated prediction cannot dominate the fit.
MAX_REFERENCE_RATIO = 2.0

SUCCESS_RATE_OUTCOMES = RELIABILITY_OUTCOMES - {AttemptOutcome.OUT_OF_MEMORY}


@dataclass(frozen=True)
class OomLimit:
    """A workflow ran out of memory at ``tokens`` with ``memory_available_bytes`` (None: unknown)."""

    tokens: int
    memory_available_bytes: Optional[int] = None

    def excludes(self, tokens: int, budget_bytes: Optional[int]) -> bool:
        """At or above the failing size, unless the request's budget is larger than the memory
        available at the failure (or gives a figure where the failure had none)."""
        if tokens < self.tokens:
            return False
        if budget_bytes is None:
            return True
        return self.memory_available_bytes is not None and budget_bytes <= self.memory_available_bytes

    def reason(self, tokens: int) -> str:
        where = ""
        if self.memory_available_bytes is not None:
            where = f" with {self.memory_available_bytes / 1024**3:.1f} GiB available"
        return (f"ran out of memory at {self.tokens:,} tokens{where}; this request has {tokens:,} "
                f"(excluded at that size or above until a run that large succeeds, or a larger memory budget)")


def next_oom_limit(current: Optional[OomLimit], outcome: AttemptOutcome, tokens: Optional[int],
                   available: Optional[int]) -> Optional[OomLimit]:
    """The limit after one attempt: an OOM lowers it, a success at or above it clears it."""
    if tokens is None:
        return current
    if outcome is AttemptOutcome.OUT_OF_MEMORY:
        if current is None or tokens < current.tokens:
            return OomLimit(tokens, available)
        if tokens == current.tokens:  # failed again: it fails with the larger of the two (None = any)
            known = None if available is None or current.memory_available_bytes is None else max(
                available, current.memory_available_bytes)
            return OomLimit(tokens, known)
        return current  # a larger size failing adds nothing to "fails at or above the smaller one"
    if outcome is AttemptOutcome.SUCCESS and current is not None and tokens >= current.tokens:
        return None
    return current


@dataclass(frozen=True)
class RunSample:
    """One attempt as the aggregates see it (from a live attempt or a stored row)."""

    workflow: str
    capability: str
    outcome: AttemptOutcome
    time_s: float
    ts: float
    peak_memory: Optional[int] = None
    predicted_memory: Optional[int] = None
    work_units: Optional[float] = None
    steps: Optional[int] = None
    cfg_multiplier: int = 1
    tokens: Optional[int] = None
    memory_available: Optional[int] = None

    @classmethod
    def from_attempt(cls, attempt: Attempt, request: Optional[WorkflowRequest], predicted: Optional[int],
                     ts: float) -> "RunSample":
        tokens = attempt.tokens
        if tokens is None and request is not None:
            tokens = request.token_count(DEFAULT_SPATIAL_MULTIPLE)
        return cls(
            attempt.workflow, str(attempt.capability), attempt.outcome, attempt.execution_time_s, ts,
            attempt.peak_memory_bytes, predicted,
            request.work_units if request is not None else None,
            request.steps if request is not None else None,
            request.cfg_multiplier if request is not None else 1,
            tokens, attempt.memory_available_bytes,
        )

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> "RunSample":
        """A stored attempt; rows of schema 1 have no token count: it is derived from the size."""
        tokens = row.get("tokens")
        if tokens is None and row["width"] and row["height"] and row["frames"]:
            try:
                video = is_video_capability(parse_capability(row["capability"]))
            except ValueError:
                video = False
            latent = latent_frame_count(row["frames"]) if video else 1
            tokens = token_count(row["width"], row["height"], latent, DEFAULT_SPATIAL_MULTIPLE)
        cfg = row["cfg"]
        return cls(
            row["workflow"], row["capability"], AttemptOutcome(row["outcome"]), row["time_s"], row["ts"],
            row["peak_memory"], row["predicted_memory"], row["work_units"], row["steps"],
            2 if cfg is not None and cfg > 1 else 1, tokens, row.get("memory_available"),
        )

    @property
    def timed(self) -> bool:
        """A successful run with the size facts the time model needs."""
        return (self.outcome is AttemptOutcome.SUCCESS and self.time_s > 0 and self.tokens is not None
                and self.tokens > 0 and self.steps is not None)


@dataclass(frozen=True)
class WorkflowStats:
    """Recency-weighted aggregates for one (workflow, capability). ``*_weight`` ≈ effective samples."""

    workflow: str
    capability: str
    attempts: int
    seconds_per_work_unit: Optional[float]
    rate_weight: float
    memory_ratio: Optional[float]  # measured peak / predicted peak
    memory_weight: float
    success_rate: Optional[float]  # successes / (successes + failures other than out of memory)
    success_weight: float
    oom_rate: Optional[float] = None  # share of attempts that ran out of memory
    oom_weight: float = 0.0
    time_fit: Optional[TimeFit] = None  # None until a timed successful run exists
    timed_runs: int = 0


AGGREGATE_COLUMNS = (
    "attempts", "rate_sum", "rate_weight", "mem_sum", "mem_weight", "ok_sum", "ok_weight", "oom_sum",
    "oom_weight", "timed_runs", "sizes_seen", "tokens_min", "tokens_max",
    *(f"fit_{name}" for name in SUM_FIELDS), "last_ts",
)


@dataclass
class Aggregate:
    """The mutable form of one stats row (columns ``AGGREGATE_COLUMNS``)."""

    attempts: int = 0
    rate_sum: float = 0.0
    rate_weight: float = 0.0
    mem_sum: float = 0.0
    mem_weight: float = 0.0
    ok_sum: float = 0.0
    ok_weight: float = 0.0
    oom_sum: float = 0.0
    oom_weight: float = 0.0
    timed_runs: int = 0
    sizes_seen: int = 0
    tokens_min: Optional[int] = None
    tokens_max: Optional[int] = None
    time: TimeSums = field(default_factory=TimeSums)
    last_ts: float = 0.0

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> "Aggregate":
        head, sums, last_ts = row[:13], row[13:13 + len(SUM_FIELDS)], row[-1]
        return cls(*head, time=TimeSums.from_row(sums), last_ts=last_ts)

    def as_row(self) -> tuple[Any, ...]:
        return (self.attempts, self.rate_sum, self.rate_weight, self.mem_sum, self.mem_weight, self.ok_sum,
                self.ok_weight, self.oom_sum, self.oom_weight, self.timed_runs, self.sizes_seen, self.tokens_min,
                self.tokens_max, *self.time.as_row(), self.last_ts)

    def fit(self) -> Optional[TimeFit]:
        if self.tokens_min is None or self.tokens_max is None:
            return None
        return fit(self.time, self.sizes_seen, self.tokens_min, self.tokens_max, self.timed_runs)

    def add(self, run: RunSample, decay: float, new_size: bool) -> None:
        """Fold one attempt in; ``new_size``: its token count was never timed before."""
        d = decay
        self.attempts += 1
        self.last_ts = run.ts
        success = run.outcome is AttemptOutcome.SUCCESS
        if run.outcome in RELIABILITY_OUTCOMES:
            self.oom_sum = self.oom_sum * d + (run.outcome is AttemptOutcome.OUT_OF_MEMORY)
            self.oom_weight = self.oom_weight * d + 1.0
        if run.outcome in SUCCESS_RATE_OUTCOMES:
            self.ok_sum, self.ok_weight = self.ok_sum * d + success, self.ok_weight * d + 1.0
        if success and run.work_units and run.time_s > 0:
            self.rate_sum = self.rate_sum * d + run.time_s / run.work_units
            self.rate_weight = self.rate_weight * d + 1.0
        if success and run.peak_memory and run.predicted_memory:
            self.mem_sum = self.mem_sum * d + run.peak_memory / run.predicted_memory
            self.mem_weight = self.mem_weight * d + 1.0
        if run.timed:
            self._add_time(run, d, new_size)

    def _add_time(self, run: RunSample, decay: float, new_size: bool) -> None:
        assert run.tokens is not None and run.steps is not None
        current = self.fit()
        reference = run.time_s
        if current is not None:
            predicted = current.seconds(run.steps, run.cfg_multiplier, run.tokens)
            reference = min(max(predicted, run.time_s / MAX_REFERENCE_RATIO), run.time_s * MAX_REFERENCE_RATIO)
        x1, x2 = features(run.steps, run.cfg_multiplier, run.tokens)
        self.time = self.time.add(x1, x2, run.time_s, reference, decay)
        self.timed_runs += 1
        self.sizes_seen += new_size
        self.tokens_min = run.tokens if self.tokens_min is None else min(self.tokens_min, run.tokens)
        self.tokens_max = run.tokens if self.tokens_max is None else max(self.tokens_max, run.tokens)

    def stats(self, workflow: str, capability: str) -> WorkflowStats:
        return WorkflowStats(
            workflow=workflow,
            capability=capability,
            attempts=self.attempts,
            seconds_per_work_unit=self.rate_sum / self.rate_weight if self.rate_weight else None,
            rate_weight=self.rate_weight,
            memory_ratio=self.mem_sum / self.mem_weight if self.mem_weight else None,
            memory_weight=self.mem_weight,
            success_rate=self.ok_sum / self.ok_weight if self.ok_weight else None,
            success_weight=self.ok_weight,
            oom_rate=self.oom_sum / self.oom_weight if self.oom_weight else None,
            oom_weight=self.oom_weight,
            time_fit=self.fit(),
            timed_runs=self.timed_runs,
        )

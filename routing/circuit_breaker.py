"""Circuit breaker: set aside a workflow that keeps failing, let it back in after a cool-down.

States per workflow: closed (normal), open (excluded until the cool-down ends), half-open (the
cool-down ended: one attempt is let through; a success closes it, a failure re-opens it at once).
The clock is injectable so tests never sleep. State is in memory: a restart gives every workflow
a fresh chance, which is what a user who just fixed a model file expects.
"""
from __future__ import annotations

import threading
import time
from typing import Callable, Optional


class CircuitBreaker:
    def __init__(
        self,
        failure_threshold: int = 3,
        cooldown_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, int] = {}
        self._opened_at: dict[str, float] = {}

    def configure(self, failure_threshold: int, cooldown_s: float) -> None:
        """Follow config changes (called by the router before each decision)."""
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s

    def state(self, workflow: str) -> str:
        opened = self._opened_at.get(workflow)
        if opened is None:
            return "closed"
        return "open" if self._clock() - opened < self.cooldown_s else "half_open"

    def exclusion_reason(self, workflow: str) -> Optional[str]:
        """Why the workflow is set aside right now, or None when it may run."""
        opened = self._opened_at.get(workflow)
        if opened is None:
            return None
        left = self.cooldown_s - (self._clock() - opened)
        if left <= 0:
            return None
        failures = self._failures.get(workflow, 0)
        return f"circuit open after {failures} consecutive failures (back in {left:.0f}s)"

    def record_success(self, workflow: str) -> None:
        with self._lock:
            self._failures.pop(workflow, None)
            self._opened_at.pop(workflow, None)

    def record_failure(self, workflow: str) -> None:
        with self._lock:
            count = self._failures.get(workflow, 0) + 1
            self._failures[workflow] = count
            if count >= self.failure_threshold:
                self._opened_at[workflow] = self._clock()  # open, or re-open after a half-open failure

    def open_workflows(self) -> dict[str, float]:
        """{workflow: seconds until it is let back in} for those currently open."""
        now = self._clock()
        return {
            wf: round(self.cooldown_s - (now - t), 3)
            for wf, t in sorted(self._opened_at.items())
            if now - t < self.cooldown_s
        }

    def reset(self, workflow: Optional[str] = None) -> None:
        with self._lock:
            if workflow is None:
                self._failures.clear()
                self._opened_at.clear()
            else:
                self._failures.pop(workflow, None)
                self._opened_at.pop(workflow, None)

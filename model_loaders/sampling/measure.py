"""Stage timings and peak memory of one attempt.

Peak memory: on a CUDA device, torch's peak-allocated counter (reset at the start of the attempt); elsewhere,
the process's resident set size sampled at every stage boundary and sampling step (the highest value seen)."""
from __future__ import annotations

import os
import time
from contextlib import contextmanager


def _rss_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class AttemptMeasure:
    def __init__(self):
        import torch
        self._cuda = torch.cuda.is_available()
        self._torch = torch
        self.timings: dict[str, float] = {}
        self._peak_rss = 0
        if self._cuda:
            torch.cuda.reset_peak_memory_stats()
        self.sample_memory()

    def sample_memory(self) -> None:
        if not self._cuda:
            rss = _rss_bytes()
            if rss is not None:
                self._peak_rss = max(self._peak_rss, rss)

    @contextmanager
    def stage(self, name: str):
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - t0
            self.sample_memory()

    def peak_bytes(self) -> int | None:
        if self._cuda:
            return int(self._torch.cuda.max_memory_allocated())
        return self._peak_rss or None

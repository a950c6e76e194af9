"""Persisted performance history (SQLite): every attempt, plus aggregates the router reads fast.

Why aggregates: a routing decision must take well under a millisecond with thousands of rows, so
each insert also updates a per-(workflow, capability) row of recency-weighted running sums. A
sample of age-rank k (0 = newest) weighs 0.5 ** (k / half_life); the running update
``sum = sum * d + x, weight = weight * d + 1`` with ``d = 0.5 ** (1 / half_life)`` keeps exactly
that weighting without rescanning. Readers cache the aggregates and re-read them only when
``PRAGMA data_version`` (or this store's own write counter) says the file changed.

Safety: WAL journal, busy timeout, one transaction per attempt (a killed writer leaves no partial
rows); a corrupt or unreadable file is renamed to ``<name>.corrupt-<timestamp>`` with a warning
and a fresh store is started, so the pack never loses its history *and* its ability to run.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence

from .capabilities import Capability
from .request import WorkflowRequest
from .result import RELIABILITY_OUTCOMES, Attempt, AttemptOutcome

log = logging.getLogger(__name__)

DB_FILENAME = "storycore_routing_history.sqlite3"
SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    workflow TEXT NOT NULL,
    capability TEXT NOT NULL,
    width INTEGER, height INTEGER, frames INTEGER, steps INTEGER, cfg REAL,
    work_units REAL,
    predicted_memory INTEGER,
    time_s REAL NOT NULL,
    peak_memory INTEGER,
    outcome TEXT NOT NULL,
    error_class TEXT,
    error_message TEXT
);
CREATE INDEX IF NOT EXISTS attempts_by_workflow ON attempts (workflow, capability, id);
CREATE TABLE IF NOT EXISTS stats (
    workflow TEXT NOT NULL,
    capability TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    rate_sum REAL NOT NULL DEFAULT 0, rate_weight REAL NOT NULL DEFAULT 0,
    mem_sum REAL NOT NULL DEFAULT 0, mem_weight REAL NOT NULL DEFAULT 0,
    ok_sum REAL NOT NULL DEFAULT 0, ok_weight REAL NOT NULL DEFAULT 0,
    last_ts REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (workflow, capability)
);
CREATE TABLE IF NOT EXISTS round_robin (capability TEXT PRIMARY KEY, last_workflow TEXT NOT NULL);
"""


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
    success_rate: Optional[float]
    success_weight: float


@dataclass(frozen=True)
class StoreStatus:
    path: str
    ok: bool
    rows: int
    recovered_from: Optional[str] = None  # where a corrupt file was moved
    error: Optional[str] = None


class HistoryStore:
    """SQLite-backed attempt history. ``path=None`` or ``":memory:"`` keeps it in memory.

    ``path`` may be a directory (the file ``storycore_routing_history.sqlite3`` goes inside) or a
    file path. One connection per instance, guarded by a lock, so an instance can be shared by
    threads; separate instances (or processes) on the same file are safe thanks to WAL.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        half_life: float = 20.0,
        busy_timeout_s: float = 10.0,
    ) -> None:
        self.path = _resolve_path(path)
        self.decay = 0.5 ** (1.0 / max(half_life, 1e-6))
        self._busy_timeout_s = busy_timeout_s
        self._lock = threading.RLock()
        self._writes = 0
        self._cache_token: tuple[int, int] | None = None
        self._stats_cache: dict[str, dict[str, WorkflowStats]] = {}
        self._recovered_from: Optional[str] = None
        self._error: Optional[str] = None
        self._conn = self._open()

    # -- opening and recovery ---------------------------------------------------------------------
    def _connect(self, path: str) -> sqlite3.Connection:
        conn = sqlite3.connect(path, timeout=self._busy_timeout_s, isolation_level=None, check_same_thread=False)
        try:
            self._prepare(conn, path)
        except BaseException:
            conn.close()
            raise
        return conn

    def _prepare(self, conn: sqlite3.Connection, path: str) -> None:
        """Pragmas, integrity check and schema; raises sqlite3.DatabaseError on a bad file."""
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_s * 1000)}")
        if path != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(f"quick_check failed: {check}")
        conn.executescript(_SCHEMA)
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if version is None:
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        elif version[0] != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"unsupported schema version {version[0]!r}")

    def _open(self) -> sqlite3.Connection:
        if self.path != ":memory:":
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                return self._use_memory(exc)
        try:
            return self._connect(self.path)
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise  # another process holds a lock: not corruption, do not move the file
            return self._recover(exc)
        except sqlite3.DatabaseError as exc:
            return self._recover(exc)

    def _recover(self, exc: Exception) -> sqlite3.Connection:
        """Move the unusable file aside and start fresh; fall back to memory if even that fails."""
        if self.path == ":memory:":
            raise exc
        try:
            moved = _move_aside(self.path)
            conn = self._connect(self.path)
        except (OSError, sqlite3.Error) as second:
            return self._use_memory(exc, second)
        self._recovered_from = moved
        message = f"routing history {self.path} was unreadable ({exc}); moved it to {moved} and started a new store"
        warnings.warn(message, RuntimeWarning, stacklevel=3)
        log.warning(message)
        return conn

    def _use_memory(self, *errors: Exception) -> sqlite3.Connection:
        """Last resort: keep routing and recording for this session, say so loudly."""
        detail = "; then ".join(f"{type(e).__name__}: {e}" for e in errors)
        self._error = f"history store {self.path} unavailable ({detail}); using an in-memory store"
        warnings.warn(self._error, RuntimeWarning, stacklevel=3)
        log.warning(self._error)
        return self._connect(":memory:")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "HistoryStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------------------------
    def record_attempt(
        self,
        attempt: Attempt,
        request: Optional[WorkflowRequest] = None,
        predicted_memory_bytes: Optional[int] = None,
    ) -> None:
        """Append one attempt and update its aggregates, in one transaction.

        ``predicted_memory_bytes`` must be the workflow's own memory model estimate (not the
        history-corrected one): the store learns the ratio measured peak / model estimate.
        """
        self.record_many([(attempt, request, predicted_memory_bytes)])

    def record_many(
        self, items: Iterable[tuple[Attempt, Optional[WorkflowRequest], Optional[int]]]
    ) -> None:
        """Append several attempts in one transaction (bulk import, benchmarks)."""
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                for attempt, request, predicted in items:
                    self._insert(conn, attempt, request, predicted)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            finally:
                self._writes += 1

    def _insert(
        self,
        conn: sqlite3.Connection,
        attempt: Attempt,
        request: Optional[WorkflowRequest],
        predicted: Optional[int],
    ) -> None:
        work = request.work_units if request is not None else None
        size = (request.width, request.height, request.frames, request.steps, request.cfg) if request else (None,) * 5
        conn.execute(
            "INSERT INTO attempts (ts, workflow, capability, width, height, frames, steps, cfg, work_units,"
            " predicted_memory, time_s, peak_memory, outcome, error_class, error_message)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                attempt.started_at or time.time(),
                attempt.workflow,
                str(attempt.capability),
                *size,
                work,
                predicted,
                attempt.execution_time_s,
                attempt.peak_memory_bytes,
                str(attempt.outcome),
                attempt.error_class,
                (attempt.error_message or "")[:500] or None,
            ),
        )
        self._update_stats(conn, attempt, work, predicted)

    def _update_stats(
        self, conn: sqlite3.Connection, attempt: Attempt, work: Optional[float], predicted: Optional[int]
    ) -> None:
        key = (attempt.workflow, str(attempt.capability))
        row = conn.execute(
            "SELECT attempts, rate_sum, rate_weight, mem_sum, mem_weight, ok_sum, ok_weight"
            " FROM stats WHERE workflow = ? AND capability = ?",
            key,
        ).fetchone()
        n, rate_sum, rate_w, mem_sum, mem_w, ok_sum, ok_w = row or (0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        d = self.decay
        success = attempt.outcome is AttemptOutcome.SUCCESS
        if attempt.outcome in RELIABILITY_OUTCOMES:
            ok_sum, ok_w = ok_sum * d + (1.0 if success else 0.0), ok_w * d + 1.0
        if success and work and attempt.execution_time_s > 0:
            rate_sum, rate_w = rate_sum * d + attempt.execution_time_s / work, rate_w * d + 1.0
        if success and attempt.peak_memory_bytes and predicted:
            mem_sum, mem_w = mem_sum * d + attempt.peak_memory_bytes / predicted, mem_w * d + 1.0
        conn.execute(
            "INSERT OR REPLACE INTO stats (workflow, capability, attempts, rate_sum, rate_weight, mem_sum,"
            " mem_weight, ok_sum, ok_weight, last_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*key, n + 1, rate_sum, rate_w, mem_sum, mem_w, ok_sum, ok_w, attempt.started_at or time.time()),
        )

    # -- reading ----------------------------------------------------------------------------------
    def stats_for(self, capability: Capability | str) -> dict[str, WorkflowStats]:
        """Aggregates of every workflow for one capability, cached until the file changes."""
        cap = str(capability)
        with self._lock:
            token = (self._conn.execute("PRAGMA data_version").fetchone()[0], self._writes)
            if token != self._cache_token:
                self._stats_cache.clear()
                self._cache_token = token
            cached = self._stats_cache.get(cap)
            if cached is None:
                cached = self._load_stats(cap)
                self._stats_cache[cap] = cached
            return cached

    def _load_stats(self, cap: str) -> dict[str, WorkflowStats]:
        rows = self._conn.execute(
            "SELECT workflow, attempts, rate_sum, rate_weight, mem_sum, mem_weight, ok_sum, ok_weight"
            " FROM stats WHERE capability = ?",
            (cap,),
        ).fetchall()
        return {
            wf: WorkflowStats(
                workflow=wf,
                capability=cap,
                attempts=n,
                seconds_per_work_unit=rate_sum / rate_w if rate_w else None,
                rate_weight=rate_w,
                memory_ratio=mem_sum / mem_w if mem_w else None,
                memory_weight=mem_w,
                success_rate=ok_sum / ok_w if ok_w else None,
                success_weight=ok_w,
            )
            for wf, n, rate_sum, rate_w, mem_sum, mem_w, ok_sum, ok_w in rows
        }

    def count_attempts(self, workflow: Optional[str] = None) -> int:
        with self._lock:
            if workflow is None:
                return self._conn.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
            return self._conn.execute("SELECT COUNT(*) FROM attempts WHERE workflow = ?", (workflow,)).fetchone()[0]

    def recent_attempts(self, limit: int = 50, workflow: Optional[str] = None) -> list[dict[str, object]]:
        """Newest first, as plain dicts (for reports and tests)."""
        query = "SELECT * FROM attempts"
        args: Sequence[object] = ()
        if workflow is not None:
            query, args = query + " WHERE workflow = ?", (workflow,)
        with self._lock:
            cur = self._conn.execute(query + " ORDER BY id DESC LIMIT ?", (*args, limit))
            names = [c[0] for c in cur.description]
            return [dict(zip(names, row)) for row in cur.fetchall()]

    # -- round robin ------------------------------------------------------------------------------
    def round_robin_last(self, capability: Capability | str) -> Optional[str]:
        with self._lock:
            row = self._conn.execute(
                "SELECT last_workflow FROM round_robin WHERE capability = ?", (str(capability),)
            ).fetchone()
        return row[0] if row else None

    def set_round_robin_last(self, capability: Capability | str, workflow: str) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO round_robin (capability, last_workflow) VALUES (?, ?)",
                (str(capability), workflow),
            )
            self._writes += 1

    # -- status -----------------------------------------------------------------------------------
    def status(self) -> StoreStatus:
        try:
            rows = self.count_attempts()
        except sqlite3.Error as exc:
            return StoreStatus(self.path, False, 0, self._recovered_from, f"{type(exc).__name__}: {exc}")
        return StoreStatus(self.path, self._error is None, rows, self._recovered_from, self._error)


def _resolve_path(path: str | os.PathLike[str] | None) -> str:
    if path is None or str(path) == ":memory:":
        return ":memory:"
    p = Path(path).expanduser()
    if p.is_dir() or (not p.suffix and not p.exists()):
        p = p / DB_FILENAME
    return str(p)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _move_aside(path: str) -> Optional[str]:
    """Rename the file (and its -wal/-shm companions) to ``<name>.corrupt-<timestamp>``."""
    if not os.path.exists(path):
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = f"{path}.corrupt-{stamp}"
    counter = 1
    while os.path.exists(target):
        counter += 1
        target = f"{path}.corrupt-{stamp}-{counter}"
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.replace(path + suffix, target + suffix)
    return target

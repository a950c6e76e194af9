"""Persisted performance history (SQLite): every attempt, plus aggregates the router reads fast.

Why aggregates: a routing decision must take well under a millisecond with thousands of rows, so
each insert also updates a per-(workflow, capability) row of recency-weighted running sums. A
sample of age-rank k (0 = newest) weighs 0.5 ** (k / half_life); the running update
``sum = sum * d + x, weight = weight * d + 1`` with ``d = 0.5 ** (1 / half_life)`` keeps exactly
that weighting without rescanning (what the aggregates hold: ``aggregates.py``). Readers cache
the aggregates and re-read them only when ``PRAGMA data_version`` (or this store's own write
counter) says the file changed; a re-read reuses the fitted time model of every row that did not
change, so only the workflow just written is fitted again.

Schema 2 (this version) adds the token count and the memory available to each attempt, the time
model's sums to the aggregates, a table of distinct sizes and one of out-of-memory limits. A
schema-1 file is migrated when opened: columns are added and every aggregate is rebuilt by
replaying the attempts in order, in one transaction (an interrupted migration leaves schema 1).

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
from typing import Iterable, Optional

from .aggregates import AGGREGATE_COLUMNS, Aggregate, OomLimit, RunSample, WorkflowStats, next_oom_limit
from .capabilities import Capability
from .request import WorkflowRequest
from .result import Attempt

log = logging.getLogger(__name__)

DB_FILENAME = "storycore_routing_history.sqlite3"
SCHEMA_VERSION = "2"

_ATTEMPTS_V1 = """
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
)"""
_ATTEMPT_COLUMNS_V2 = ("tokens INTEGER", "memory_available INTEGER")


def _aggregate_column(name: str) -> str:
    if name in ("tokens_min", "tokens_max"):
        return f"{name} INTEGER"  # NULL until a timed run exists
    kind = "INTEGER" if name in ("attempts", "timed_runs", "sizes_seen") else "REAL"
    return f"{name} {kind} NOT NULL DEFAULT 0"


_AGGREGATE_DDL = ", ".join(_aggregate_column(c) for c in AGGREGATE_COLUMNS)
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    _ATTEMPTS_V1,
    "CREATE INDEX IF NOT EXISTS attempts_by_workflow ON attempts (workflow, capability, id)",
    f"CREATE TABLE IF NOT EXISTS stats (workflow TEXT NOT NULL, capability TEXT NOT NULL, {_AGGREGATE_DDL},"
    " PRIMARY KEY (workflow, capability))",
    # Distinct token counts of timed successful runs: written on insert, never read by a decision.
    "CREATE TABLE IF NOT EXISTS sizes (workflow TEXT NOT NULL, capability TEXT NOT NULL, tokens INTEGER NOT NULL,"
    " PRIMARY KEY (workflow, capability, tokens)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS oom_limits (workflow TEXT PRIMARY KEY, tokens INTEGER NOT NULL,"
    " memory_available INTEGER, ts REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS round_robin (capability TEXT PRIMARY KEY, last_workflow TEXT NOT NULL)",
)


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
        self._oom_cache: Optional[dict[str, OomLimit]] = None
        self._rows_seen: dict[tuple[str, str], tuple[tuple[object, ...], WorkflowStats]] = {}
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
        """Pragmas, integrity check, schema and migration; raises sqlite3.DatabaseError on a bad file."""
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_s * 1000)}")
        if path != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(f"quick_check failed: {check}")
        conn.execute("BEGIN IMMEDIATE")  # version check and migration see a file no one else is changing
        try:
            version = _schema_version(conn)
            if version == "1":
                self._migrate_from_v1(conn)
            elif version not in (None, SCHEMA_VERSION):
                raise sqlite3.DatabaseError(f"unsupported schema version {version!r}")
            for statement in _SCHEMA:
                conn.execute(statement)
            if version is None:
                _add_attempt_columns(conn)
            if version != SCHEMA_VERSION:
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                             (SCHEMA_VERSION,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _migrate_from_v1(self, conn: sqlite3.Connection) -> None:
        """Schema 1 -> 2: new attempt columns, then every aggregate rebuilt from the attempts."""
        _add_attempt_columns(conn)
        conn.execute("DROP TABLE IF EXISTS stats")
        for statement in _SCHEMA:
            conn.execute(statement)
        self._rebuild_aggregates(conn)
        log.info("routing history %s migrated from schema 1 to %s", self.path, SCHEMA_VERSION)

    def _rebuild_aggregates(self, conn: sqlite3.Connection) -> None:
        """Replay every attempt, oldest first, through the live update code."""
        for table in ("stats", "sizes", "oom_limits"):
            conn.execute(f"DELETE FROM {table}")
        aggregates: dict[tuple[str, str], Aggregate] = {}
        cur = conn.execute("SELECT * FROM attempts ORDER BY id")
        names = [c[0] for c in cur.description]
        for row in cur.fetchall():
            try:
                run = RunSample.from_row(dict(zip(names, row)))
            except ValueError as exc:  # an outcome this version does not know: not learnt from
                log.warning("routing history: attempt %s not replayed (%s)", row[0], exc)
                continue
            key = (run.workflow, run.capability)
            self._apply(conn, aggregates.setdefault(key, Aggregate()), run)
        for key, aggregate in aggregates.items():
            _write_aggregate(conn, key, aggregate)

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
        ``attempt.tokens`` should be the workflow's token count for the request (the manager sets
        it); when None it is derived from ``request`` with a spatial multiple of 16.
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
        run = RunSample.from_attempt(attempt, request, predicted, attempt.started_at or time.time())
        size = (request.width, request.height, request.frames, request.steps, request.cfg) if request else (None,) * 5
        conn.execute(
            "INSERT INTO attempts (ts, workflow, capability, width, height, frames, steps, cfg, work_units,"
            " predicted_memory, time_s, peak_memory, outcome, error_class, error_message, tokens, memory_available)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run.ts,
                run.workflow,
                run.capability,
                *size,
                run.work_units,
                predicted,
                attempt.execution_time_s,
                attempt.peak_memory_bytes,
                str(attempt.outcome),
                attempt.error_class,
                (attempt.error_message or "")[:500] or None,
                run.tokens,
                run.memory_available,
            ),
        )
        key = (run.workflow, run.capability)
        row = conn.execute(
            f"SELECT {', '.join(AGGREGATE_COLUMNS)} FROM stats WHERE workflow = ? AND capability = ?", key
        ).fetchone()
        aggregate = Aggregate.from_row(row) if row else Aggregate()
        self._apply(conn, aggregate, run)
        _write_aggregate(conn, key, aggregate)

    def _apply(self, conn: sqlite3.Connection, aggregate: Aggregate, run: RunSample) -> None:
        """Fold one attempt into its aggregate (in memory), the sizes table and the OOM limit."""
        new_size = False
        if run.timed:
            cur = conn.execute("INSERT OR IGNORE INTO sizes (workflow, capability, tokens) VALUES (?, ?, ?)",
                               (run.workflow, run.capability, run.tokens))
            new_size = cur.rowcount == 1
        aggregate.add(run, self.decay, new_size)
        row = conn.execute("SELECT tokens, memory_available FROM oom_limits WHERE workflow = ?",
                           (run.workflow,)).fetchone()
        current = OomLimit(*row) if row else None
        limit = next_oom_limit(current, run.outcome, run.tokens, run.memory_available)
        if limit == current:
            return
        if limit is None:
            conn.execute("DELETE FROM oom_limits WHERE workflow = ?", (run.workflow,))
        else:
            conn.execute("INSERT OR REPLACE INTO oom_limits (workflow, tokens, memory_available, ts) VALUES (?, ?, ?, ?)",
                         (run.workflow, limit.tokens, limit.memory_available_bytes, run.ts))

    # -- reading ----------------------------------------------------------------------------------
    def stats_for(self, capability: Capability | str) -> dict[str, WorkflowStats]:
        """Aggregates of every workflow for one capability, cached until the file changes."""
        cap = str(capability)
        with self._lock:
            self._check_cache()
            cached = self._stats_cache.get(cap)
            if cached is None:
                cached = self._load_stats(cap)
                self._stats_cache[cap] = cached
            return cached

    def oom_limits(self) -> dict[str, OomLimit]:
        """{workflow: smallest token count that ran out of memory}, cached until the file changes."""
        with self._lock:
            self._check_cache()
            if self._oom_cache is None:
                rows = self._conn.execute("SELECT workflow, tokens, memory_available FROM oom_limits").fetchall()
                self._oom_cache = {wf: OomLimit(tokens, available) for wf, tokens, available in rows}
            return self._oom_cache

    def _check_cache(self) -> None:
        token = (self._conn.execute("PRAGMA data_version").fetchone()[0], self._writes)
        if token != self._cache_token:
            self._stats_cache.clear()
            self._oom_cache = None
            self._cache_token = token

    def _load_stats(self, cap: str) -> dict[str, WorkflowStats]:
        rows = self._conn.execute(
            f"SELECT workflow, {', '.join(AGGREGATE_COLUMNS)} FROM stats WHERE capability = ?", (cap,)
        ).fetchall()
        out: dict[str, WorkflowStats] = {}
        for wf, *values in rows:
            key, row = (wf, cap), tuple(values)
            seen = self._rows_seen.get(key)
            if seen is None or seen[0] != row:  # fit only what changed since the last read
                seen = (row, Aggregate.from_row(row).stats(wf, cap))
                self._rows_seen[key] = seen
            out[wf] = seen[1]
        return out

    def clear_oom_limits(self, workflow: Optional[str] = None) -> None:
        """Forget the out-of-memory limits of one workflow, or of all (e.g. after a hardware change)."""
        with self._lock:
            if workflow is None:
                self._conn.execute("DELETE FROM oom_limits")
            else:
                self._conn.execute("DELETE FROM oom_limits WHERE workflow = ?", (workflow,))
            self._writes += 1

    def rebuild_aggregates(self) -> None:
        """Recompute every aggregate from the stored attempts (after changing ``half_life``, say)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._rebuild_aggregates(self._conn)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            finally:
                self._writes += 1

    def count_attempts(self, workflow: Optional[str] = None) -> int:
        with self._lock:
            if workflow is None:
                return self._conn.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
            return self._conn.execute("SELECT COUNT(*) FROM attempts WHERE workflow = ?", (workflow,)).fetchone()[0]

    def recent_attempts(self, limit: int = 50, workflow: Optional[str] = None, *,
                        capability: Capability | str | None = None,
                        since: Optional[float] = None) -> list[dict[str, object]]:
        """Newest first, as plain dicts (for reports, stats and tests); optionally only one workflow, one
        capability, or attempts started at or after ``since`` (epoch seconds)."""
        where, args = [], []
        for clause, value in (("workflow = ?", workflow), ("capability = ?", capability), ("ts >= ?", since)):
            if value is not None:
                where.append(clause)
                args.append(str(value) if clause.startswith("capability") else value)
        query = "SELECT * FROM attempts" + (" WHERE " + " AND ".join(where) if where else "")
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


def _schema_version(conn: sqlite3.Connection) -> Optional[str]:
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone() is None:
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return row[0] if row else None


def _add_attempt_columns(conn: sqlite3.Connection) -> None:
    """Columns schema 2 added to ``attempts`` (fresh files get them here too: one table definition)."""
    conn.execute(_ATTEMPTS_V1)
    present = {row[1] for row in conn.execute("PRAGMA table_info(attempts)")}
    for column in _ATTEMPT_COLUMNS_V2:
        if column.split()[0] not in present:
            conn.execute(f"ALTER TABLE attempts ADD COLUMN {column}")


def _write_aggregate(conn: sqlite3.Connection, key: tuple[str, str], aggregate: Aggregate) -> None:
    conn.execute(
        f"INSERT OR REPLACE INTO stats (workflow, capability, {', '.join(AGGREGATE_COLUMNS)})"
        f" VALUES (?, ?, {', '.join('?' * len(AGGREGATE_COLUMNS))})",
        (*key, *aggregate.as_row()),
    )


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

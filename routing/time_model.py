"""Execution-time model of one workflow: fixed part + per-step part, fitted from history.

    time ≈ a + b · s·u + c · s·u²      s = steps × cfg multiplier, u = tokens / TOKEN_SCALE

``a`` is the per-job part (loading, text encoding, VAE decode), ``b`` the per-step cost that is
linear in tokens (projections, MLP) and ``c`` the attention cost, quadratic in tokens. Tokens are
scaled (u ≈ 1 at 10k tokens) so that the sums stay well within float range at any video size.

The fit is a weighted least squares over *sufficient statistics*: the normal-equation sums
``Σ v·x xᵀ``, ``Σ v·x y``, ``Σ v·y²`` with x = [1, s·u, s·u²], kept as running recency-weighted
sums (``TimeSums.add``), so a decision reads O(1) numbers per workflow whatever the history
length. The sample weight is ``v = w / ŷ²`` with w the recency weight and ŷ the model's
prediction for that run *before* it was added (the run's own time for the first run): every run
then counts by its relative error, small and large sizes alike, without the low bias that
weighting by the run's own 1/time² would give repeated noisy runs.

Coefficients are constrained to be >= 0 (exact non-negative least squares by enumerating the
faces of the 3-term problem), so a prediction is never negative and is monotone in tokens and
steps. How much is fitted depends on the distinct token counts seen:

- 1 size: ``rate`` (time ∝ s·u through the origin), the best one point can say;
- 2 sizes: ``linear`` (a + b·s·u), fixed and per-step parts separated;
- 3+ sizes: ``quadratic`` (all three terms).

Sizes too close together to tell the terms apart (``MIN_SCALED_DETERMINANT``) drop the model to
the next simpler kind: noise is not fitted as curvature.

The reported range widens with the distance (in log tokens) from the sizes seen, and with the
fit's residual when there are more runs than terms.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations
from typing import Optional, Sequence

TOKEN_SCALE = 1e4

# Terms each model may use (indices into x = [1, s·u, s·u²]), by the number of distinct sizes.
MODEL_TERMS: dict[str, tuple[int, ...]] = {"rate": (1,), "linear": (0, 1), "quadratic": (0, 1, 2)}
TERM_NAMES = ("fixed_s", "per_step_linear_s", "per_step_quadratic_s")

# Range half-width in log space: BAND_BASE[kind] + BAND_PER_LOG_EXTRAPOLATION[kind] × |ln(tokens /
# nearest token count seen)| (+ the fit's relative residual). Judgements: one size says nothing
# about the shape, three sizes pin it down. Tunables (module defaults, not yet in the config).
BAND_BASE = {"rate": 0.10, "linear": 0.08, "quadratic": 0.05}
BAND_PER_LOG_EXTRAPOLATION = {"rate": 0.60, "linear": 0.50, "quadratic": 0.15}
# Terms whose Jacobi-scaled normal matrix has a smaller determinant are not identified by the data
# (sizes within ~15 % of each other, or sizes that decayed to almost no weight): the model drops to
# the next simpler kind rather than fit noise as curvature. 3 sizes a factor 2-3 apart give ~1e-2.
MIN_SCALED_DETERMINANT = 1e-6

# Range of a bootstrap (parameter-count) guess: [time / 3, time × 3]. A judgement: the guess can
# be several times off either way until one run is measured.
BOOTSTRAP_BAND = 3.0

SUM_FIELDS = ("runs", "a00", "a01", "a02", "a11", "a12", "a22", "b0", "b1", "b2", "yy")


def features(steps: int, cfg_multiplier: int, tokens: int) -> tuple[float, float]:
    """(s·u, s·u²) for one run; the constant term is implicit."""
    s = float(steps * cfg_multiplier)
    u = tokens / TOKEN_SCALE
    return s * u, s * u * u


@dataclass(frozen=True)
class TimeSums:
    """Recency-weighted normal-equation sums of one workflow (see module docstring).

    ``runs`` = Σ w (effective number of runs); ``aij`` = Σ v·xi·xj; ``bi`` = Σ v·xi·y;
    ``yy`` = Σ v·y² with x0 = 1, v = w / ŷ².
    """

    runs: float = 0.0
    a00: float = 0.0
    a01: float = 0.0
    a02: float = 0.0
    a11: float = 0.0
    a12: float = 0.0
    a22: float = 0.0
    b0: float = 0.0
    b1: float = 0.0
    b2: float = 0.0
    yy: float = 0.0

    @classmethod
    def from_row(cls, values: Sequence[float]) -> "TimeSums":
        return cls(*(float(v) for v in values))

    def as_row(self) -> tuple[float, ...]:
        return tuple(getattr(self, f) for f in SUM_FIELDS)

    def add(self, x1: float, x2: float, seconds: float, reference_s: float, decay: float) -> "TimeSums":
        """Decay every sum, then add one run of ``seconds``, weighted by 1 / reference_s²."""
        v = 1.0 / (reference_s * reference_s)
        d = decay
        return TimeSums(
            self.runs * d + 1.0,
            self.a00 * d + v, self.a01 * d + v * x1, self.a02 * d + v * x2,
            self.a11 * d + v * x1 * x1, self.a12 * d + v * x1 * x2, self.a22 * d + v * x2 * x2,
            self.b0 * d + v * seconds, self.b1 * d + v * x1 * seconds, self.b2 * d + v * x2 * seconds,
            self.yy * d + v * seconds * seconds,
        )

    def matrix(self) -> tuple[tuple[float, ...], ...]:
        return ((self.a00, self.a01, self.a02), (self.a01, self.a11, self.a12), (self.a02, self.a12, self.a22))

    def rhs(self) -> tuple[float, float, float]:
        return self.b0, self.b1, self.b2


@dataclass(frozen=True)
class TimeFit:
    """Fitted coefficients (a, b, c) and what they stand on."""

    kind: str  # "rate" | "linear" | "quadratic"
    coefficients: tuple[float, float, float]
    runs: float  # effective (recency-weighted) runs
    sizes_seen: int  # distinct token counts among timed successful runs
    tokens_min: int
    tokens_max: int
    residual: Optional[float]  # relative RMS residual, None when runs do not exceed the terms
    timed_runs: int = 0  # the runs behind ``runs``, counted

    def seconds(self, steps: int, cfg_multiplier: int, tokens: int) -> float:
        x1, x2 = features(steps, cfg_multiplier, tokens)
        a, b, c = self.coefficients
        return max(0.0, a + b * x1 + c * x2)

    def extrapolation(self, tokens: int) -> float:
        """tokens / largest seen above the range, smallest seen / tokens below it, else 1."""
        if tokens > self.tokens_max:
            return tokens / self.tokens_max
        if tokens < self.tokens_min:
            return self.tokens_min / tokens
        return 1.0

    def predict(self, steps: int, cfg_multiplier: int, tokens: int) -> TimePrediction:
        return TimePrediction(self.seconds(steps, cfg_multiplier, tokens), tokens, steps, self)

    def band(self, tokens: int) -> float:
        """Multiplicative half-width: the range is [time / band, time × band]."""
        log_width = BAND_BASE[self.kind] + BAND_PER_LOG_EXTRAPOLATION[self.kind] * math.log(self.extrapolation(tokens))
        if self.residual is not None:
            log_width += self.residual
        return math.exp(log_width)


@dataclass(frozen=True)
class TimePrediction:
    """A predicted time, its range and what it stands on (shown in decisions and reports).

    Only the figure is computed up front; range and basis are derived when read, so that a
    decision over many candidates pays for them only where it shows them.
    """

    seconds: float
    tokens: int
    steps: int
    fit: Optional[TimeFit] = None  # None: bootstrapped from the parameter count

    @property
    def basis(self) -> str:
        """One of "bootstrap", "rate", "linear", "quadratic"."""
        return self.fit.kind if self.fit is not None else "bootstrap"

    @property
    def band(self) -> float:
        return self.fit.band(self.tokens) if self.fit is not None else BOOTSTRAP_BAND

    @property
    def low_s(self) -> float:
        return self.seconds / self.band

    @property
    def high_s(self) -> float:
        return self.seconds * self.band

    @property
    def runs(self) -> int:
        """Timed successful runs behind the figure."""
        return self.fit.timed_runs if self.fit is not None else 0

    @property
    def effective_runs(self) -> float:
        """The same, recency-weighted."""
        return self.fit.runs if self.fit is not None else 0.0

    @property
    def sizes_seen(self) -> int:
        return self.fit.sizes_seen if self.fit is not None else 0

    @property
    def tokens_range(self) -> Optional[tuple[int, int]]:
        return (self.fit.tokens_min, self.fit.tokens_max) if self.fit is not None else None

    @property
    def extrapolation(self) -> float:
        """How many times outside the token range seen (1: inside, or no fit)."""
        return self.fit.extrapolation(self.tokens) if self.fit is not None else 1.0

    @property
    def fixed_s(self) -> float:
        """The fitted per-job part; the rest is per step."""
        return self.fit.coefficients[0] if self.fit is not None else 0.0

    @property
    def per_step_s(self) -> float:
        """The fitted per-step part at this size (cfg multiplier included)."""
        return max(0.0, self.seconds - self.fixed_s) / max(self.steps, 1)

    def describe(self) -> str:
        """One line: the figure, its range and its basis."""
        head = f"~{self.seconds:.1f}s (range {self.low_s:.1f}-{self.high_s:.1f}s)"
        if self.fit is None:
            return f"{head}, bootstrap from the parameter count (no timed run yet)"
        lo, hi = self.fit.tokens_min, self.fit.tokens_max
        seen = f"{lo:,}" if lo == hi else f"{lo:,}-{hi:,}"
        text = (f"{head}, {self.basis} fit of {self.runs} run(s) at {self.sizes_seen} size(s) ({seen} tokens): "
                f"{self.fixed_s:.1f}s fixed + {self.per_step_s:.3g}s/step")
        if self.extrapolation > 1.0:
            side = "above the largest" if self.tokens > hi else "below the smallest"
            text += f"; {self.tokens:,} tokens is {self.extrapolation:.2g}x {side} seen"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "seconds": self.seconds, "low_s": self.low_s, "high_s": self.high_s, "basis": self.basis,
            "tokens": self.tokens, "steps": self.steps, "runs": self.runs, "effective_runs": self.effective_runs,
            "sizes_seen": self.sizes_seen, "tokens_range": list(self.tokens_range) if self.tokens_range else None,
            "extrapolation": self.extrapolation, "fixed_s": self.fixed_s, "per_step_s": self.per_step_s,
            "coefficients": dict(zip(TERM_NAMES, self.fit.coefficients)) if self.fit is not None else None,
            "description": self.describe(),
        }


def fit(sums: TimeSums, sizes_seen: int, tokens_min: int, tokens_max: int, timed_runs: int = 0) -> Optional[TimeFit]:
    """The non-negative least-squares fit the data supports, or None without timed runs."""
    if sums.runs <= 0 or sums.a11 <= 0 or sizes_seen < 1:
        return None
    kind = "quadratic" if sizes_seen >= 3 else "linear" if sizes_seen == 2 else "rate"
    a = sums.matrix()
    while kind != "rate" and _scaled_det([[a[i][j] for j in MODEL_TERMS[kind]] for i in MODEL_TERMS[kind]]) \
            < MIN_SCALED_DETERMINANT:
        kind = "linear" if kind == "quadratic" else "rate"
    beta, rss, terms = _nnls(sums, MODEL_TERMS[kind])  # the rate face always solves: a11, b1 > 0
    if beta is None:
        return None
    dof = sums.runs - len(terms)
    residual = math.sqrt(max(rss, 0.0) / dof) if dof > 0.5 else None
    return TimeFit(kind, beta, sums.runs, sizes_seen, tokens_min, tokens_max, residual, timed_runs)


def _nnls(sums: TimeSums, allowed: tuple[int, ...]) -> tuple[Optional[tuple[float, float, float]], float, tuple[int, ...]]:
    """Exact NNLS over the terms ``allowed``: the feasible face solution with the least residual.

    The optimum of a convex quadratic over the non-negative orthant is the unconstrained optimum of
    one face (subset of free terms) and is feasible, so enumerating the faces finds it.
    """
    a, b = sums.matrix(), sums.rhs()
    best: tuple[Optional[tuple[float, float, float]], float, tuple[int, ...]] = (None, math.inf, ())
    for size in range(len(allowed), 0, -1):
        for face in combinations(allowed, size):
            solution = _solve_scaled([[a[i][j] for j in face] for i in face], [b[i] for i in face])
            if solution is None or any(x < 0 for x in solution):
                continue
            beta = [0.0, 0.0, 0.0]
            for i, x in zip(face, solution):
                beta[i] = x
            rss = sums.yy - 2 * sum(beta[i] * b[i] for i in range(3)) + sum(
                beta[i] * a[i][j] * beta[j] for i in range(3) for j in range(3))
            if rss < best[1] - 1e-12 * max(sums.yy, 1e-300):
                best = (tuple(beta), rss, face)  # type: ignore[assignment]
    return best


def _solve_scaled(m: list[list[float]], r: list[float]) -> Optional[list[float]]:
    """Solve m·x = r (symmetric positive semi-definite, k <= 3) after Jacobi scaling; None if singular."""
    k = len(r)
    d = [math.sqrt(m[i][i]) if m[i][i] > 0 else 0.0 for i in range(k)]
    if any(x == 0.0 for x in d):
        return None
    s = [[m[i][j] / (d[i] * d[j]) for j in range(k)] for i in range(k)]
    q = [r[i] / d[i] for i in range(k)]
    det = _det(s)
    if det < MIN_SCALED_DETERMINANT:
        return None
    out = []
    for col in range(k):  # Cramer's rule: k <= 3, exact enough after scaling
        replaced = [[q[i] if j == col else s[i][j] for j in range(k)] for i in range(k)]
        out.append(_det(replaced) / det / d[col])
    return out


def _scaled_det(m: list[list[float]]) -> float:
    """Determinant after Jacobi scaling (1 for orthogonal terms, 0 for collinear ones)."""
    d = [math.sqrt(m[i][i]) if m[i][i] > 0 else 0.0 for i in range(len(m))]
    if any(x == 0.0 for x in d):
        return 0.0
    return _det([[m[i][j] / (d[i] * d[j]) for j in range(len(m))] for i in range(len(m))])


def _det(m: list[list[float]]) -> float:
    if len(m) == 1:
        return m[0][0]
    if len(m) == 2:
        return m[0][0] * m[1][1] - m[0][1] * m[1][0]
    return (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]))

"""Per-candidate predictions (time, peak memory, quality) from priors corrected by history.

- Time: ``time_model`` — fixed + per-step cost with linear and quadratic terms in tokens, fitted
  from the workflow's recency-weighted history, with a range and its basis. Before any timed
  run it is bootstrapped from the parameter count
  (``performance.bootstrap_seconds_per_work_unit_per_billion_params`` × work units), with a wide
  range; one real run replaces the bootstrap outright (a parameter-count guess can be off by 10×,
  one real run cannot).
- Memory: the workflow's model (weights + activations for the request's tokens) × the
  recency-weighted mean ratio of measured to predicted peaks.
- Quality: the prior (config, else the workflow's declared one) × a smoothed success rate
  ``(successes + k) / (attempts + k)`` with k = ``quality.success_pseudo_count`` virtual successes;
  attempts that ran out of memory are not counted (the OOM limit handles size, see aggregates.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .config import RoutingConfig
from .history import WorkflowStats
from .request import WorkflowRequest
from .time_model import TimePrediction
from .workflow import BaseAdvancedWorkflow

MIN_BOOTSTRAP_PARAMS = 1e8  # a workflow that declares no size is treated as 0.1 B parameters


@dataclass(frozen=True)
class Estimate:
    time_s: float
    memory_bytes: int
    quality: float
    quality_prior: float
    success_factor: float
    time_samples: float  # effective (recency-weighted) number of measured runs behind time_s
    memory_samples: float
    success_samples: float
    time: Optional[TimePrediction] = None  # time_s with its range and basis


def quality_prior(workflow: BaseAdvancedWorkflow, request: WorkflowRequest, config: RoutingConfig) -> float:
    configured = config.quality.prior(workflow.family, workflow.variant, request.capability)
    return configured if configured is not None else workflow.quality_prior(request.capability)


def predict_time(
    workflow: BaseAdvancedWorkflow, request: WorkflowRequest, stats: Optional[WorkflowStats], config: RoutingConfig
) -> TimePrediction:
    tokens = workflow.token_count(request)
    fitted = stats.time_fit if stats is not None else None
    if fitted is not None:
        return fitted.predict(request.steps, request.cfg_multiplier, tokens)
    params_b = max(workflow.parameter_count, MIN_BOOTSTRAP_PARAMS) / 1e9
    rate = config.performance.bootstrap_seconds_per_work_unit_per_billion_params * params_b
    return TimePrediction(rate * request.work_units, tokens, request.steps)


def estimate(
    workflow: BaseAdvancedWorkflow,
    request: WorkflowRequest,
    stats: Optional[WorkflowStats],
    config: RoutingConfig,
) -> Estimate:
    time = predict_time(workflow, request, stats, config)
    memory = workflow.estimate_memory(request)
    ratio = stats.memory_ratio if stats is not None else None
    if ratio is not None:
        memory = int(memory * ratio)
    prior = quality_prior(workflow, request, config)
    k = config.quality.success_pseudo_count
    if stats is not None and stats.success_rate is not None:
        successes = stats.success_rate * stats.success_weight
        success_factor = (successes + k) / (stats.success_weight + k) if stats.success_weight + k > 0 else 1.0
    else:
        success_factor = 1.0
    return Estimate(
        time_s=time.seconds,
        memory_bytes=memory,
        quality=prior * success_factor,
        quality_prior=prior,
        success_factor=success_factor,
        time_samples=time.effective_runs,
        memory_samples=stats.memory_weight if stats else 0.0,
        success_samples=stats.success_weight if stats else 0.0,
        time=time,
    )

"""StoryCore routing core: pick, run and fall back between model workflows. Plain Python; knows no model
family (the pack passes the families' data in as the config's base).

No torch or comfy imports, only relative imports inside the package (ComfyUI loads it as
``<pack folder>.routing``; tests import it as ``routing``).
"""
from .capabilities import (
    INPUT_TYPED_CAPABILITIES,
    VIDEO_CAPABILITIES,
    Capability,
    Strategy,
    WorkflowType,
    is_video_capability,
    is_video_request,
    parse_capability,
    parse_strategy,
)
from .circuit_breaker import CircuitBreaker
from .config import FamilyConfig, RoutingConfig, SamplingDefaults, config_from_dict, load_config
from .config_manager import ConfigManager, ConfigStatus
from .errors import (
    ConfigError,
    ErrorKind,
    InvalidRequestError,
    NoEligibleWorkflowError,
    OutOfMemoryError,
    RegistryError,
    RetryableWorkflowError,
    RoutingError,
    StoryCoreError,
    classify_exception,
)
from .estimators import Estimate
from .history import HistoryStore, StoreStatus, WorkflowStats
from .manager import HealthReport, PeakMemoryProbe, WorkflowManager
from .registry import ValidationIssue, WorkflowRegistry, default_registry
from .request import WorkflowRequest, latent_frame_count
from .result import Attempt, AttemptOutcome, CandidateBreakdown, RoutingDecision, WorkflowResult
from .router import Router
from .workflow import BaseAdvancedWorkflow, ExecutionOutput, MemoryModel, RequestRules

__all__ = [
    "INPUT_TYPED_CAPABILITIES", "Attempt", "AttemptOutcome", "BaseAdvancedWorkflow", "CandidateBreakdown", "Capability", "CircuitBreaker",
    "ConfigError", "ConfigManager", "ConfigStatus", "ErrorKind", "Estimate", "ExecutionOutput",
    "FamilyConfig", "HealthReport", "HistoryStore", "InvalidRequestError", "MemoryModel", "NoEligibleWorkflowError",
    "OutOfMemoryError", "PeakMemoryProbe", "RegistryError", "RequestRules", "RetryableWorkflowError", "Router",
    "RoutingConfig", "RoutingDecision", "RoutingError", "SamplingDefaults", "StoryCoreError", "StoreStatus", "Strategy",
    "VIDEO_CAPABILITIES", "ValidationIssue", "WorkflowManager", "WorkflowRegistry", "WorkflowRequest",
    "WorkflowResult", "WorkflowStats", "WorkflowType", "classify_exception", "config_from_dict",
    "default_registry", "is_video_capability", "is_video_request", "latent_frame_count", "load_config",
    "parse_capability", "parse_strategy",
]

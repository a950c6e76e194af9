"""The routing core's types used by model_loaders.sampling (one place for the relative import)."""
from ...routing import (CircuitBreaker, ConfigManager, ExecutionOutput, HistoryStore,  # noqa: F401
                        InvalidRequestError, WorkflowManager, WorkflowRegistry, WorkflowRequest,
                        is_video_capability, is_video_request, parse_capability)
from ...routing.workflow import BaseAdvancedWorkflow  # noqa: F401

"""GET /storycore/health: the manager's health check over the process-wide registry, history store and config
(registry validation; store path, rows, recovery, error; config path, whether the last load worked, which config
is in use: "file", "defaults" or "last good", and the last error), file names only."""
from __future__ import annotations

from ..sampling.routing_types import WorkflowManager
from .public import public


def health_view(registry, services) -> dict:
    manager = WorkflowManager(registry, services.history, services.configs, breaker=services.breaker)
    return public(manager.health_check().to_dict())

"""Fixtures for the routing core tests: workflow factories and isolated registries/stores."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from routing import (
    BaseAdvancedWorkflow,
    Capability,
    HistoryStore,
    RequestRules,
    WorkflowRegistry,
    WorkflowType,
)

GIB = 1024**3


def make_workflow(
    name: str,
    capabilities: dict[Any, float] | None = None,
    *,
    family: str = "wan",
    variant: str = "",
    workflow_type: WorkflowType | None = None,
    params: float = 1.3e9,
    weight_gib: float = 3.0,
    rules: RequestRules | None = None,
    executor: Callable[..., Any] | None = None,
) -> BaseAdvancedWorkflow:
    """A plain workflow; video type unless every capability is an image one."""
    caps = capabilities or {Capability.TEXT_TO_VIDEO: 0.8}
    if workflow_type is None:
        from routing import VIDEO_CAPABILITIES

        video = any(Capability(c) in VIDEO_CAPABILITIES for c in caps)
        workflow_type = WorkflowType.VIDEO if video else WorkflowType.IMAGE
    return BaseAdvancedWorkflow(
        name=name,
        family=family,
        variant=variant or name,
        workflow_type=workflow_type,
        capabilities=caps,
        parameter_count=int(params),
        weight_bytes=int(weight_gib * GIB),
        rules=rules,
        executor=executor or (lambda request: {"video": f"output of {name}"}),
    )


@pytest.fixture
def workflow_factory() -> Callable[..., BaseAdvancedWorkflow]:
    return make_workflow


@pytest.fixture
def registry() -> WorkflowRegistry:
    return WorkflowRegistry()


@pytest.fixture
def store(tmp_path) -> HistoryStore:
    s = HistoryStore(tmp_path / "history")
    yield s
    s.close()

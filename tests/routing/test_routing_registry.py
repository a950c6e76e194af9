"""Registry: classes and instances, categories, capability lookups, validation, isolation."""
from __future__ import annotations

import pytest

from routing import (
    BaseAdvancedWorkflow,
    Capability,
    RegistryError,
    WorkflowRegistry,
    WorkflowType,
    default_registry,
)
from routing.workflow import RequestRules


class HunyuanT2V(BaseAdvancedWorkflow):
    name = "hunyuan_1.5_t2v"
    family = "hunyuan_video"
    variant = "1.5_t2v_720p"
    workflow_type = WorkflowType.VIDEO
    capabilities = {Capability.TEXT_TO_VIDEO: 0.85}
    parameter_count = 8_300_000_000
    weight_bytes = 8_300_000_000


def test_register_class_and_instance(registry, workflow_factory):
    inst = registry.register(HunyuanT2V)
    assert isinstance(inst, HunyuanT2V)
    wan = registry.register(workflow_factory("wan_t2v"))
    assert len(registry) == 2 and "wan_t2v" in registry
    assert registry.get("hunyuan_1.5_t2v") is inst
    assert registry.categories() == ["hunyuan_video", "wan"]
    assert registry.workflows("wan") == [wan]
    assert [w.name for w in registry.by_capability("text_to_video")] == ["hunyuan_1.5_t2v", "wan_t2v"]


def test_unregister_by_class_name_and_instance(registry, workflow_factory):
    registry.register(HunyuanT2V)
    a = registry.register(workflow_factory("a"))
    registry.register(workflow_factory("b"), category="custom")
    assert registry.unregister(HunyuanT2V)[0].name == "hunyuan_1.5_t2v"
    assert registry.unregister(a) == [a]
    with pytest.raises(RegistryError):
        registry.unregister("b", category="wan")
    registry.unregister("b", category="custom")
    assert len(registry) == 0
    assert registry.by_capability(Capability.TEXT_TO_VIDEO) == ()  # index rebuilt after changes
    with pytest.raises(RegistryError, match="no registered workflow"):
        registry.unregister("missing")


def test_duplicate_key_rejected_unless_replace(registry, workflow_factory):
    registry.register(workflow_factory("a"))
    with pytest.raises(RegistryError, match="already registered in category 'wan'"):
        registry.register(workflow_factory("a"))
    replacement = workflow_factory("a", {Capability.IMAGE_TO_VIDEO: 0.7})
    registry.register(replacement, replace=True)
    assert registry.get("a") is replacement


def test_rejects_non_workflows(registry):
    with pytest.raises(RegistryError):
        registry.register(dict)
    with pytest.raises(RegistryError):
        registry.register("not a workflow")


def test_capability_matrix(registry, workflow_factory):
    registry.register(workflow_factory("wan", {Capability.TEXT_TO_VIDEO: 0.8, Capability.IMAGE_TO_VIDEO: 0.75}))
    registry.register(workflow_factory("qwen", {Capability.TEXT_TO_IMAGE: 0.9}, family="qwen_image"))
    assert registry.capability_matrix() == {
        "qwen": {"text_to_image": 0.9},
        "wan": {"image_to_video": 0.75, "text_to_video": 0.8},
    }
    assert registry.capabilities() == [Capability.TEXT_TO_VIDEO, Capability.IMAGE_TO_VIDEO, Capability.TEXT_TO_IMAGE]


def test_validation_report(registry, workflow_factory):
    registry.register(workflow_factory("good"))
    registry.register(workflow_factory("dup"), category="wan")
    registry.register(workflow_factory("dup"), category="other")
    registry.register(BaseAdvancedWorkflow(name="empty", family="wan"))
    registry.register(BaseAdvancedWorkflow(
        name="confused", family="qwen_image", workflow_type=WorkflowType.IMAGE,
        capabilities={Capability.TEXT_TO_VIDEO: 1.5}, parameter_count=1, weight_bytes=1,
        rules=RequestRules(resolution_multiple=0)))
    issues = {(i.severity, i.workflow, i.message) for i in registry.validate()}
    assert ("error", "dup", "duplicate name in categories other, wan") in issues
    assert ("error", "empty", "declares no capabilities") in issues
    assert ("error", "confused", "quality prior for text_to_video is 1.5, expected 0.0..1.0") in issues
    assert ("error", "confused", "image workflow declares video capability text_to_video") in issues
    assert ("error", "confused", "resolution_multiple is 0, expected > 0") in issues
    assert ("warning", "empty", "parameter_count is not set; time estimates start from a poor prior") in issues
    assert not any(w == "good" for _, w, _ in issues)


def test_registries_are_isolated_and_default_is_shared(workflow_factory):
    a, b = WorkflowRegistry(), WorkflowRegistry()
    a.register(workflow_factory("only_in_a"))
    assert "only_in_a" not in b
    assert default_registry() is default_registry()
    assert "only_in_a" not in default_registry()

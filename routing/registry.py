"""Which workflows exist. Lookups by name, category and capability; a validation report.

Use ``WorkflowRegistry()`` for an isolated registry (tests, embedding programs) and
``default_registry()`` for the process-wide one the ComfyUI nodes share.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterable, Optional

from .capabilities import VIDEO_CAPABILITIES, Capability, WorkflowType, parse_capability
from .errors import RegistryError
from .workflow import BaseAdvancedWorkflow


@dataclass(frozen=True)
class ValidationIssue:
    severity: str  # "error" or "warning"
    workflow: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.workflow}: {self.message}"


class WorkflowRegistry:
    """Workflows keyed by (category, name); the category defaults to the workflow's family.

    The same name in two categories is allowed at registration (two loader nodes may race) but is
    reported by ``validate()``, because history and decisions identify workflows by name alone.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._entries: dict[tuple[str, str], BaseAdvancedWorkflow] = {}
        self._classes: dict[tuple[str, str], type] = {}  # entries registered as a class
        self._by_capability: Optional[dict[Capability, tuple[BaseAdvancedWorkflow, ...]]] = None
        self._version = 0

    # -- mutation ---------------------------------------------------------------------------------
    def register(
        self,
        workflow: BaseAdvancedWorkflow | type[BaseAdvancedWorkflow],
        category: Optional[str] = None,
        *,
        replace: bool = False,
    ) -> BaseAdvancedWorkflow:
        """Register an instance, or a class (instantiated with no arguments). Returns the instance."""
        cls: Optional[type] = None
        if isinstance(workflow, type):
            if not issubclass(workflow, BaseAdvancedWorkflow):
                raise RegistryError(f"{workflow.__name__} is not a BaseAdvancedWorkflow subclass")
            cls, workflow = workflow, workflow()
        if not isinstance(workflow, BaseAdvancedWorkflow):
            raise RegistryError(f"{workflow!r} is not a BaseAdvancedWorkflow")
        if not workflow.name:
            raise RegistryError(f"{workflow!r} has no name")
        key = (category or workflow.family or "default", workflow.name)
        with self._lock:
            if key in self._entries and not replace:
                raise RegistryError(f"workflow {key[1]!r} is already registered in category {key[0]!r}")
            self._entries[key] = workflow
            if cls is not None:
                self._classes[key] = cls
            else:
                self._classes.pop(key, None)
            self._changed()
        return workflow

    def unregister(
        self, target: str | BaseAdvancedWorkflow | type, category: Optional[str] = None
    ) -> list[BaseAdvancedWorkflow]:
        """Remove by name, instance or registered class (optionally within one category)."""
        with self._lock:
            keys = [k for k, wf in self._entries.items() if self._matches(k, wf, target, category)]
            if not keys:
                raise RegistryError(f"no registered workflow matches {getattr(target, '__name__', target)!r}")
            removed = [self._entries.pop(k) for k in keys]
            for k in keys:
                self._classes.pop(k, None)
            self._changed()
            return removed

    def _matches(self, key: tuple[str, str], wf: BaseAdvancedWorkflow, target: object, category: Optional[str]) -> bool:
        if category is not None and key[0] != category:
            return False
        if isinstance(target, str):
            return key[1] == target
        if isinstance(target, type):
            return self._classes.get(key) is target
        return wf is target

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._classes.clear()
            self._changed()

    def _changed(self) -> None:
        self._by_capability = None
        self._version += 1

    # -- lookup -----------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        """Bumped on every change; lets caches know when to rebuild."""
        return self._version

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return any(k[1] == name for k in self._entries)

    def get(self, name: str, category: Optional[str] = None) -> BaseAdvancedWorkflow:
        with self._lock:
            for (cat, n), wf in sorted(self._entries.items()):
                if n == name and (category is None or cat == category):
                    return wf
        raise RegistryError(f"unknown workflow {name!r}")

    def workflows(self, category: Optional[str] = None) -> list[BaseAdvancedWorkflow]:
        """All workflows sorted by (name, category): a stable order for deterministic routing."""
        with self._lock:
            items = sorted(self._entries.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        return [wf for (cat, _), wf in items if category is None or cat == category]

    def categories(self) -> list[str]:
        return sorted({cat for cat, _ in self._entries})

    def by_capability(self, capability: Capability | str) -> tuple[BaseAdvancedWorkflow, ...]:
        """Workflows that declare ``capability``, in name order. Cached until the next change."""
        index = self._by_capability
        if index is None:
            with self._lock:
                index = {cap: tuple(wf for wf in self.workflows() if wf.supports(cap)) for cap in Capability}
                self._by_capability = index
        return index[parse_capability(capability)]

    def capability_matrix(self) -> dict[str, dict[str, float]]:
        """{workflow name: {capability: declared quality prior}} for reports and UI."""
        return {wf.name: {c.value: q for c, q in sorted(wf.capabilities.items())} for wf in self.workflows()}

    def capabilities(self) -> list[Capability]:
        """Capabilities offered by at least one registered workflow."""
        return [c for c in Capability if self.by_capability(c)]

    # -- validation -------------------------------------------------------------------------------
    def validate(self) -> list[ValidationIssue]:
        """Problems a human should fix: duplicates, empty or inconsistent declarations."""
        issues: list[ValidationIssue] = []
        with self._lock:
            entries = sorted(self._entries.items())
        seen: dict[str, list[str]] = {}
        for (cat, name), wf in entries:
            seen.setdefault(name, []).append(cat)
            issues.extend(_workflow_issues(wf))
        for name, cats in sorted(seen.items()):
            if len(cats) > 1:
                issues.append(ValidationIssue("error", name, f"duplicate name in categories {', '.join(cats)}"))
        return issues


def _workflow_issues(wf: BaseAdvancedWorkflow) -> Iterable[ValidationIssue]:
    def issue(severity: str, message: str) -> ValidationIssue:
        return ValidationIssue(severity, wf.name, message)

    if not wf.capabilities:
        yield issue("error", "declares no capabilities")
    for cap, prior in sorted(wf.capabilities.items()):
        if not 0.0 <= prior <= 1.0:
            yield issue("error", f"quality prior for {cap} is {prior}, expected 0.0..1.0")
        # A video model may render a single frame (an image capability); an image model never renders frames.
        if cap in VIDEO_CAPABILITIES and wf.workflow_type is not WorkflowType.VIDEO:
            yield issue("error", f"{wf.workflow_type} workflow declares video capability {cap}")
    if wf.parameter_count <= 0:
        yield issue("warning", "parameter_count is not set; time estimates start from a poor prior")
    if wf.weight_bytes <= 0:
        yield issue("warning", "weight_bytes is not set; memory estimates ignore the weights")
    if wf.rules.resolution_multiple <= 0:
        yield issue("error", f"resolution_multiple is {wf.rules.resolution_multiple}, expected > 0")
    if not wf.family:
        yield issue("warning", "family is not set")


_DEFAULT: Optional[WorkflowRegistry] = None
_DEFAULT_LOCK = threading.Lock()


def default_registry() -> WorkflowRegistry:
    """The process-wide registry shared by the ComfyUI nodes (created on first use)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = WorkflowRegistry()
        return _DEFAULT

"""GET /storycore/registry: the workflows loader nodes registered in this process (routing's default registry),
what each serves and can run now, their sizes and files (names only), and the capability matrix."""
from __future__ import annotations

from ..sampling.runner import family_recipes
from ...routing import Capability
from .public import public


def runnable_capabilities(family: str) -> set[str]:
    """Capabilities the router has a recipe for in this family (what a prompt can run today)."""
    try:
        return set(family_recipes(family).RECIPES)
    except ImportError:
        return set()


def quality_prior(workflow, capability: str, config) -> float:
    """The prior the router ranks with: the config's, else the workflow's declared one."""
    configured = config.quality.prior(workflow.family, workflow.variant, capability)
    return configured if configured is not None else workflow.quality_prior(Capability(capability))


def workflow_entry(workflow, config) -> dict:
    capabilities = sorted(str(c) for c in workflow.capabilities)
    runnable = runnable_capabilities(workflow.family)
    entry = {
        "name": workflow.name, "family": workflow.family, "variant": workflow.variant,
        "workflow_type": str(workflow.workflow_type), "capabilities": capabilities,
        "runnable": [c for c in capabilities if c in runnable],
        "quality_priors": {c: quality_prior(workflow, c, config) for c in capabilities},
        "parameter_count": workflow.parameter_count, "weight_bytes": workflow.weight_bytes,
        "resolution_multiple": workflow.rules.resolution_multiple,
    }
    summary = getattr(workflow, "summary", None)
    if callable(summary):  # a loader's ModelWorkflow: precision, files, notes
        details = summary()
        entry.update({k: details[k] for k in ("variant_name", "precision", "files", "loras", "notes",
                                               "memory_estimate") if k in details})
    return entry


def registry_view(registry, config) -> dict:
    workflows = [workflow_entry(wf, config) for wf in registry.workflows()]
    matrix = {c.value: {w["name"]: {"prior": w["quality_priors"][c.value], "runnable": c.value in w["runnable"]}
                        for w in workflows if c.value in w["capabilities"]} for c in Capability}
    return public({
        "workflows": workflows,
        "capabilities": [c.value for c in Capability],
        "capability_matrix": matrix,
        "served": sorted({c for w in workflows for c in w["runnable"]}),
        "issues": [str(i) for i in registry.validate()],
    })

"""The routing core as seen from model_loaders.

Inside ComfyUI the pack is one package (`<any folder name>.model_loaders`, `<...>.routing`), so the import
is relative. Tests and scripts put the repo root on sys.path and use `model_loaders` and `routing` as
top-level packages, where a relative import cannot reach the sibling: then the top-level name is used.
"""
try:
    from ..routing import BaseAdvancedWorkflow, RequestRules, WorkflowType, default_registry
except ImportError:  # model_loaders is itself a top-level package
    from routing import BaseAdvancedWorkflow, RequestRules, WorkflowType, default_registry

__all__ = ["BaseAdvancedWorkflow", "RequestRules", "WorkflowType", "default_registry"]

"""The pack's own socket type."""
from comfy_api.latest import io

# A validated workflow description (model_loaders.model_workflow.ModelWorkflow): files, options, capabilities.
StoryCoreWorkflow = io.Custom("STORYCORE_WORKFLOW")

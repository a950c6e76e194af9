"""Family-free sampling machinery for the StoryCore Advanced Router.

One job per module:
- settings: a request's explicit values + the family template's defaults -> the final settings (with rounding)
- router_inputs: what the router node hands to a workflow (tensors, overrides, output prefix)
- comfy_nodes: run one of ComfyUI's own nodes in process (V1 or V3)
- progress: one ComfyUI progress bar across all stages, latent previews, interrupt checks
- measure: stage timings and peak memory of one attempt
- saving: write the result to ComfyUI's output folder in the standard UI shape
- job: what a family recipe works with (load, condition, sample, decode, save)
- runner: ModelWorkflow.execute -> the family's recipe for the capability
- memory_cleanup: free memory after an out-of-memory attempt with ComfyUI's own functions

Importing this package imports neither torch nor comfy; job, progress, saving and runner import them when used.
"""

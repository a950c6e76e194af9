"""Companion nodes: turn a STORYCORE_WORKFLOW into ComfyUI's core MODEL / VAE / CLIP_VISION and CLIP, for
users who wire ComfyUI's native nodes. Two nodes, because ComfyUI runs only the nodes whose outputs are
used: the text encoder (often the largest file) loads only when its CLIP output is wired."""
from comfy_api.latest import io

from .types import StoryCoreWorkflow


class WorkflowModels(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="StoryCoreWorkflowModels",
            display_name="StoryCore Workflow Models",
            category="StoryCore/loaders",
            description="Loads a StoryCore workflow's diffusion model(s) (at the memory floor, cached), VAE and "
                        "CLIP vision as ComfyUI's core types, with its LoRAs applied.",
            inputs=[StoryCoreWorkflow.Input("workflow", tooltip="From a StoryCore loader node.")],
            outputs=[
                io.Model.Output("model", tooltip="The diffusion model; for Wan 2.2 A14B the high-noise expert."),
                io.Model.Output("low_noise_model", tooltip="Wan 2.2 A14B: the low-noise expert; otherwise the "
                                                           "same model as 'model'."),
                io.Vae.Output("vae"),
                io.ClipVision.Output("clip_vision", tooltip="None when the workflow has no CLIP vision file."),
            ],
        )

    @classmethod
    def execute(cls, workflow) -> io.NodeOutput:
        models = workflow.load_diffusion_models()
        main = models.get("model") or models["high_noise"]  # Wan 2.2 A14B: the high-noise expert
        return io.NodeOutput(main, models.get("low_noise", main), workflow.load_vae(), workflow.load_clip_vision())


class WorkflowTextEncoder(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="StoryCoreWorkflowTextEncoder",
            display_name="StoryCore Workflow Text Encoder",
            category="StoryCore/loaders",
            description="Loads a StoryCore workflow's text encoder(s) as ComfyUI's core CLIP, with the right "
                        "CLIP type for the family.",
            inputs=[StoryCoreWorkflow.Input("workflow", tooltip="From a StoryCore loader node.")],
            outputs=[io.Clip.Output("clip")],
        )

    @classmethod
    def execute(cls, workflow) -> io.NodeOutput:
        return io.NodeOutput(workflow.load_text_encoder())

"""StoryCore Checkpoint Inspector: describe a diffusion model file from its safetensors header."""
import json
import os

import folder_paths
from comfy_api.latest import io, ui

from ..model_loaders import CheckpointError, inspect_checkpoint, resolve_model_file
from ..model_loaders.description_summary import summarize_description

MODEL_FOLDER = "diffusion_models"


class TextWithSummary(ui.PreviewText):
    """ComfyUI's text preview (`text`: the JSON report, for programs reading /history) plus `summary`, a short
    human line that web/js/storycore.js shows above the text on the node."""

    def __init__(self, text: str, summary: str):
        super().__init__(text)
        self.summary = summary

    def as_dict(self):
        return {**super().as_dict(), "summary": (self.summary,)}


def _resolve(model_name: str):
    return resolve_model_file(model_name, MODEL_FOLDER, folder_paths.get_folder_paths(MODEL_FOLDER))


class CheckpointInspector(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="StoryCoreCheckpointInspector",
            display_name="StoryCore Checkpoint Inspector",
            category="StoryCore/models",
            is_output_node=True,  # shows its report in the UI, so it may be the only node of a prompt
            description="Reads only the safetensors header of a diffusion model and reports its family, "
                        "variant, architecture, precision format, parameter count and exact weight bytes, "
                        "as ComfyUI would detect them. Nothing is loaded.",
            inputs=[
                io.Combo.Input("model_name", options=folder_paths.get_filename_list(MODEL_FOLDER),
                               tooltip="A .safetensors file from ComfyUI's models/diffusion_models folder "
                                       "(Wan, HunyuanVideo, Qwen-Image or NewBie-image)."),
            ],
            outputs=[
                io.String.Output("description_json", display_name="description (JSON)",
                                 tooltip="The checkpoint description as JSON text."),
            ],
        )

    @classmethod
    def validate_inputs(cls, model_name):
        # Replaces ComfyUI's "value not in list" check with a message that says what is wrong and the fix.
        try:
            _resolve(model_name)
        except CheckpointError as exc:
            return str(exc)
        return True

    @classmethod
    def fingerprint_inputs(cls, model_name):
        # Re-run when the file changes on disk, not only when the name changes.
        try:
            stat = os.stat(_resolve(model_name))
        except (CheckpointError, OSError):
            return model_name
        return f"{model_name}:{stat.st_size}:{stat.st_mtime_ns}"

    @classmethod
    def execute(cls, model_name) -> io.NodeOutput:
        description = inspect_checkpoint(_resolve(model_name))
        text = json.dumps(description.to_dict(), indent=2)
        return io.NodeOutput(text, ui=TextWithSummary(text, summarize_description(description)))

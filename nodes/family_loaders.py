"""The per-family loader nodes. Each one validates its files from their headers and outputs a
STORYCORE_WORKFLOW: a description of a runnable workflow, not loaded weights. The router (or the
StoryCore Workflow Models / Text Encoder nodes) loads only what is used.
"""
from dataclasses import dataclass

from comfy_api.latest import io, ui

from ..model_loaders.families import overridable_variants
from ..model_loaders.model_workflow import build_model_workflow, register_workflow
from .loader_inputs import (NONE, LORA_SLOTS, check_files, check_options, file_choice, file_fingerprint,
                            lora_inputs, precision_input, resolve, variant_input)
from .types import StoryCoreWorkflow


@dataclass(frozen=True)
class FileSlot:
    input_id: str
    folder: str
    role: str  # what the model_loaders core calls it: model, high_noise, low_noise, sr_model, ...
    tooltip: str
    optional: bool = False


class FamilyLoaderNode(io.ComfyNode):
    """Shared schema and behaviour; a subclass only declares its family and its file slots."""
    FAMILY = ""
    NODE_ID = ""
    DISPLAY_NAME = ""
    DESCRIPTION = ""
    MODEL_SLOTS: tuple[FileSlot, ...] = ()
    TEXT_ENCODER_SLOTS: tuple[FileSlot, ...] = ()
    VAE_TOOLTIP = ""
    CLIP_VISION_TOOLTIP: str | None = None  # None: the family never uses CLIP vision

    @classmethod
    def file_slots(cls) -> list[FileSlot]:
        slots = list(cls.MODEL_SLOTS) + list(cls.TEXT_ENCODER_SLOTS)
        slots.append(FileSlot("vae", "vae", "vae", cls.VAE_TOOLTIP))
        if cls.CLIP_VISION_TOOLTIP:
            slots.append(FileSlot("clip_vision", "clip_vision", "clip_vision", cls.CLIP_VISION_TOOLTIP, optional=True))
        return slots

    @classmethod
    def define_schema(cls):
        inputs = [file_choice(s.input_id, s.folder, s.tooltip, allow_none=s.optional) for s in cls.file_slots()]
        inputs += lora_inputs() + [precision_input()]
        overridable = overridable_variants(cls.FAMILY)
        if overridable:
            inputs.append(variant_input(overridable))
        return io.Schema(
            node_id=cls.NODE_ID,
            display_name=cls.DISPLAY_NAME,
            category="StoryCore/loaders",
            description=cls.DESCRIPTION,
            is_output_node=True,  # shows what it detected
            inputs=inputs,
            outputs=[StoryCoreWorkflow.Output("workflow", tooltip="A validated workflow description for the "
                                              "StoryCore Advanced Router or the StoryCore Workflow nodes. "
                                              "Nothing is loaded until a workflow is used.")],
        )

    @classmethod
    def _chosen_files(cls, inputs: dict) -> dict:
        chosen = {s.input_id: (s.folder, inputs.get(s.input_id)) for s in cls.file_slots()}
        for slot in range(1, LORA_SLOTS + 1):
            chosen[f"lora_{slot}"] = ("loras", inputs.get(f"lora_{slot}", NONE))
        return chosen

    @classmethod
    def validate_inputs(cls, **inputs):
        # Taking **inputs makes ComfyUI skip its own checks of every input (combo lists, min/max), so all of
        # them are checked here, with messages that name the problem and the fix.
        chosen = cls._chosen_files(inputs)
        problems = [f"{slot.input_id}: choose a file from models/{slot.folder}" for slot in cls.file_slots()
                    if not slot.optional and chosen[slot.input_id][1] in (None, NONE)]
        problems += check_options(inputs, overridable_variants(cls.FAMILY))
        files = check_files(chosen)
        if files is not True:
            problems.append(files)
        return "; ".join(problems) if problems else True

    @classmethod
    def fingerprint_inputs(cls, **inputs):
        return file_fingerprint(cls._chosen_files(inputs)) + f"|{sorted(inputs.items())}"

    @classmethod
    def models_by_role(cls, paths: dict) -> dict:
        return {s.role: paths[s.input_id] for s in cls.MODEL_SLOTS if paths[s.input_id] is not None}

    @classmethod
    def execute(cls, **inputs) -> io.NodeOutput:
        paths = {s.input_id: resolve(s.folder, inputs.get(s.input_id)) for s in cls.file_slots()}
        workflow = build_model_workflow(
            cls.FAMILY,
            models=cls.models_by_role(paths),
            text_encoders=[paths[s.input_id] for s in cls.TEXT_ENCODER_SLOTS],
            vae=paths["vae"],
            clip_vision=paths.get("clip_vision"),
            loras=[(resolve("loras", inputs[f"lora_{n}"]), float(inputs[f"lora_{n}_strength"]))
                   for n in range(1, LORA_SLOTS + 1) if inputs.get(f"lora_{n}", NONE) != NONE],
            precision=inputs["precision"],
            variant_override=inputs.get("variant", "auto"),
        )
        register_workflow(workflow)
        return io.NodeOutput(workflow, ui=ui.PreviewText(workflow.report_text()))


def _model(input_id="model_name", role="model", tooltip="", optional=False) -> FileSlot:
    return FileSlot(input_id, "diffusion_models", role, tooltip, optional)


def _text_encoder(input_id: str, tooltip: str) -> FileSlot:
    return FileSlot(input_id, "text_encoders", input_id, tooltip)


class WanLoader(FamilyLoaderNode):
    FAMILY = "wan"
    NODE_ID = "StoryCoreWanLoader"
    DISPLAY_NAME = "StoryCore Wan Loader"
    DESCRIPTION = ("Describes a Wan 2.1 / 2.2 workflow (T2V, I2V, VACE, Fun-Control, TI2V-5B, A14B) from FP8 or "
                   "16-bit checkpoints. Every file is checked from its header before anything loads.")
    MODEL_SLOTS = (
        _model(tooltip="The Wan diffusion model (models/diffusion_models). For Wan 2.2 A14B: "
                                          "the high-noise expert."),
        _model("low_noise_model_name", "low_noise", "Wan 2.2 A14B only: the low-noise expert. 'none' for every "
                                                    "other Wan model.", optional=True),
    )
    TEXT_ENCODER_SLOTS = (_text_encoder("text_encoder", "UMT5-XXL text encoder (models/text_encoders), e.g. "
                                                        "umt5_xxl_fp8_e4m3fn_scaled.safetensors."),)
    VAE_TOOLTIP = "wan_2.1_vae for Wan 2.1 and 2.2 A14B; wan2.2_vae for TI2V-5B (models/vae)."
    CLIP_VISION_TOOLTIP = "clip_vision_h, needed by Wan 2.1 I2V / FLF2V / Fun-Control (models/clip_vision)."

    @classmethod
    def models_by_role(cls, paths: dict) -> dict:
        models = super().models_by_role(paths)
        if "low_noise" in models:  # a Wan 2.2 A14B pair: the first file is the high-noise expert
            models["high_noise"] = models.pop("model")
        return models


class HunyuanVideoLoader(FamilyLoaderNode):
    FAMILY = "hunyuan_video"
    NODE_ID = "StoryCoreHunyuanVideoLoader"
    DISPLAY_NAME = "StoryCore HunyuanVideo Loader"
    DESCRIPTION = ("Describes a HunyuanVideo 1.0 (T2V, I2V) or 1.5 (T2V/I2V, optional super-resolution stage) "
                   "workflow. Every file is checked from its header before anything loads.")
    MODEL_SLOTS = (
        _model(tooltip="The HunyuanVideo diffusion model (models/diffusion_models)."),
        _model("sr_model_name", "sr_model", "HunyuanVideo 1.5 only: the optional super-resolution model.",
               optional=True),
    )
    TEXT_ENCODER_SLOTS = (
        _text_encoder("text_encoder", "1.0: clip_l.safetensors; 1.5: qwen_2.5_vl_7b (models/text_encoders)."),
        _text_encoder("text_encoder_2", "1.0: llava_llama3 (e.g. llava_llama3_fp8_scaled); 1.5: "
                                        "byt5_small_glyphxl (models/text_encoders)."),
    )
    VAE_TOOLTIP = "hunyuan_video_vae for 1.0; hunyuanvideo15_vae for 1.5 (models/vae)."
    CLIP_VISION_TOOLTIP = "Optional image encoder for I2V: llava_llama3_vision (1.0) or sigclip_vision_patch14_384 (1.5)."


class QwenImageLoader(FamilyLoaderNode):
    FAMILY = "qwen_image"
    NODE_ID = "StoryCoreQwenImageLoader"
    DISPLAY_NAME = "StoryCore Qwen-Image Loader"
    DESCRIPTION = ("Describes a Qwen-Image workflow: text-to-image, Edit / Edit-2509 / Edit-2511 (editing, "
                   "relighting with a LoRA) or Layered. Every file is checked from its header before anything loads.")
    MODEL_SLOTS = (_model(tooltip="The Qwen-Image diffusion model (models/diffusion_models)."),)
    TEXT_ENCODER_SLOTS = (_text_encoder("text_encoder", "Qwen2.5-VL-7B text encoder, e.g. "
                                                        "qwen_2.5_vl_7b_fp8_scaled.safetensors (models/text_encoders)."),)
    VAE_TOOLTIP = "qwen_image_vae.safetensors (models/vae)."


class NewBieLoader(FamilyLoaderNode):
    FAMILY = "newbie"
    NODE_ID = "StoryCoreNewBieLoader"
    DISPLAY_NAME = "StoryCore NewBie Loader"
    DESCRIPTION = ("Describes a NewBie-image (anime) workflow. Every file is checked from its header before "
                   "anything loads.")
    MODEL_SLOTS = (_model(tooltip="The NewBie-image diffusion model (models/diffusion_models)."),)
    TEXT_ENCODER_SLOTS = (
        _text_encoder("text_encoder", "Gemma-3-4B text encoder, e.g. gemma_3_4b_it_bf16 (models/text_encoders)."),
        _text_encoder("text_encoder_2", "Jina-CLIP-v2 text encoder, e.g. jina_clip_v2_bf16 (models/text_encoders)."),
    )
    VAE_TOOLTIP = "The FLUX VAE, ae.safetensors (models/vae)."


FAMILY_LOADERS = [WanLoader, HunyuanVideoLoader, QwenImageLoader, NewBieLoader]

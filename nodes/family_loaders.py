"""The per-family loader nodes, one per family package (its LOADER spec: node id, description, file slots).
Each one validates its files from their headers and outputs a STORYCORE_WORKFLOW: a description of a runnable
workflow, not loaded weights. The router (or the StoryCore Workflow Models / Text Encoder nodes) loads only what
is used.
"""
from comfy_api.latest import io, ui

from ..model_loaders.families import FAMILIES, FAMILY_MODULES, overridable_variants
from ..model_loaders.families.base import FileSlot, LoaderSpec
from ..model_loaders.loader_validation import declared_companions
from ..model_loaders.model_workflow import build_model_workflow, register_workflow
from .loader_inputs import (NONE, LORA_SLOTS, file_choice, file_fingerprint, lora_inputs, precision_input, resolve,
                            variant_input)
from .types import StoryCoreWorkflow


class FamilyLoaderNode(io.ComfyNode):
    """Shared schema and behaviour; a subclass (made by loader_node) only names its family and LOADER spec."""
    FAMILY = ""
    SPEC: LoaderSpec

    @classmethod
    def file_slots(cls) -> list[FileSlot]:
        spec = cls.SPEC
        slots = list(spec.model_slots) + list(spec.text_encoder_slots)
        slots.append(FileSlot("vae", "vae", "vae", spec.vae_tooltip))
        if spec.clip_vision_tooltip:
            slots.append(FileSlot("clip_vision", "clip_vision", "clip_vision", spec.clip_vision_tooltip,
                                  optional=True))
        return slots + cls.companion_slots()

    @classmethod
    def companion_slots(cls) -> list[FileSlot]:
        """The family's optional companion inputs (families.base.OptionalCompanion): optional, 'none' by default."""
        return [FileSlot(role, c.folder, role, c.tooltip, optional=True)
                for role, c in declared_companions(FAMILIES[cls.FAMILY]).items()]

    @classmethod
    def define_schema(cls):
        companions = {s.input_id for s in cls.companion_slots()}  # optional in the schema too: older prompts run
        inputs = [file_choice(cls.FAMILY, s.input_id, s.folder, s.tooltip, allow_none=s.optional,
                              optional=s.input_id in companions)
                  for s in cls.file_slots()]
        inputs += lora_inputs(cls.FAMILY) + [precision_input()]
        overridable = overridable_variants(cls.FAMILY)
        if overridable:
            inputs.append(variant_input(overridable))
        return io.Schema(
            node_id=cls.SPEC.node_id,
            display_name=cls.SPEC.display_name,
            category="StoryCore/loaders",
            description=cls.SPEC.description,
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

    # No validate_inputs: ComfyUI then checks every input itself (file lists, choices, ranges) and attaches each
    # problem to its own input. A validate_inputs result is attached by ComfyUI to every input the function takes
    # (execution.py validate_inputs, 0.8 and 0.33 alike), so one problem would mark them all. What only the
    # headers can tell (family, kinds, keys, precision) is checked in execute, all problems together.

    @classmethod
    def fingerprint_inputs(cls, **inputs):
        return file_fingerprint(cls._chosen_files(inputs)) + f"|{sorted(inputs.items())}"

    @classmethod
    def models_by_role(cls, paths: dict) -> dict:
        models = {s.role: paths[s.input_id] for s in cls.SPEC.model_slots if paths[s.input_id] is not None}
        if cls.SPEC.expert_pair and "low_noise" in models:  # an A14B pair: the first file is the high-noise expert
            models["high_noise"] = models.pop("model")
        return models

    @classmethod
    def execute(cls, **inputs) -> io.NodeOutput:
        paths = {s.input_id: resolve(s.folder, inputs.get(s.input_id)) for s in cls.file_slots()}
        workflow = build_model_workflow(
            cls.FAMILY,
            models=cls.models_by_role(paths),
            text_encoders=[paths[s.input_id] for s in cls.SPEC.text_encoder_slots],
            vae=paths["vae"],
            clip_vision=paths.get("clip_vision"),
            loras=[(resolve("loras", inputs[f"lora_{n}"]), float(inputs[f"lora_{n}_strength"]))
                   for n in range(1, LORA_SLOTS + 1) if inputs.get(f"lora_{n}", NONE) != NONE],
            precision=inputs["precision"],
            variant_override=inputs.get("variant", "auto"),
            companions={s.role: paths[s.input_id] for s in cls.companion_slots() if paths[s.input_id] is not None},
        )
        register_workflow(workflow)
        return io.NodeOutput(workflow, ui=ui.PreviewText(workflow.report_text()))


def loader_node(family_module) -> type[FamilyLoaderNode]:
    """The loader node class of one family package."""
    spec = family_module.LOADER
    return type(spec.node_id, (FamilyLoaderNode,), {"FAMILY": family_module.FAMILY, "SPEC": spec,
                                                   "__doc__": spec.description})


FAMILY_LOADERS = [loader_node(module) for module in FAMILY_MODULES]

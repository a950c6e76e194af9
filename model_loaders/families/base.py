"""The data types a model family package fills in: detection results, variant declarations, its loader node's
file slots and its LoRA rules. Plain Python."""
import re
from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True)
class FamilyMatch:
    """The family/variant of a checkpoint and the architecture numbers ComfyUI would infer."""
    family: str
    variant: str
    comfy_model_class: str  # the class in comfy/supported_models.py that ComfyUI will pick
    architecture: dict
    variant_source: str = "weights"  # "weights", or "file name" where the weights cannot tell
    ambiguous_with: tuple[str, ...] = ()  # variants with the very same layout
    expert: str | None = None  # Wan 2.2 A14B: "high_noise" / "low_noise", from the file name
    notes: tuple[str, ...] = field(default_factory=tuple)


def name_has(file_name: str, *patterns: str) -> bool:
    """True when the lower-cased file name matches any regex pattern (file names are the only hint
    where two variants share one layout)."""
    lowered = file_name.lower()
    return any(re.search(p, lowered) for p in patterns)


def expert_from_name(file_name: str) -> str | None:
    if name_has(file_name, r"high[_\- ]?noise"):
        return "high_noise"
    if name_has(file_name, r"low[_\- ]?noise"):
        return "low_noise"
    return None


# ---------------------------------------------------------------------------------------------------------------
# What each variant serves and needs (declared per family package in DECLARATIONS), and the key-set check.

@dataclass(frozen=True)
class OptionalModel:
    """A further diffusion model a variant's loader may take (HunyuanVideo 1.5's super-resolution stage)."""
    variant: str                 # the variant that file must be
    adds: tuple[str, ...]        # the capabilities the workflow gains with it
    example_file: str            # the official release file, for messages


@dataclass(frozen=True)
class OptionalCompanion:
    """An optional companion file a variant's loader may take (e.g. Wan-Alpha's alpha-channel VAE), declared under
    its role, which is also its loader input's name and its key in the validated workflow's files.

    component: the component type model_loaders.companion_files knows how to identify from a header and load
    ("vae", ...); kind: the kind that identification must give (model_loaders.components.KINDS); folder: the
    ComfyUI model folder its input lists; adds: the capabilities it serves, together with every other part
    declared for them (capability LoRAs, other companions); tooltip: its loader input's tooltip."""
    component: str
    kind: str
    folder: str
    adds: tuple[str, ...]
    tooltip: str
    example_file: str            # the official release file, for messages


@dataclass(frozen=True)
class CapabilityLora:
    """A LoRA that gives a variant a further capability (Qwen-Image-Edit-2509's Relight and Light-Migration): it
    counts once its header fits the family (like every LoRA) and its file name matches `name_pattern`.

    prompt_prefix: trigger words the recipe puts before the user's prompt; prompt: the template's own prompt
    (the user's is appended); needs_reference: it relights image 1 with the light of a `reference_image`."""
    capability: str
    name_pattern: str            # regex, searched in the lower-cased file name
    example_file: str            # the official release file, for messages
    prompt_prefix: str = ""
    prompt: str = ""
    needs_reference: bool = False

    def matches(self, file_name: str) -> bool:
        return name_has(file_name, self.name_pattern)


@dataclass(frozen=True)
class VariantDeclaration:
    """What a variant serves and which companion files its loader needs.

    capabilities: ids of routing.capabilities.Capability; workflow_type: "video" or "image".
    text_encoders: the text-encoder kinds (model_loaders.components) the variant needs, one file each.
    clip_type: the comfy.sd.CLIPType member name (lower case) to load them with.
    clip_vision: the CLIP-vision kind it uses (None: none); clip_vision_required: False where it is optional.
    overridable_to: variants with the very same layout that a user may pick where the weights cannot tell.
    model_roles: the diffusion-model inputs the loader takes ("model", or "high_noise" + "low_noise").
    resolution_multiple: width and height must be multiples of VAE factor x patch size.
    example_file: the official release file of the (first) diffusion model, for messages.
    vae_file: the official VAE file name where it differs from the VAE kind's usual file.
    optional_models: further model inputs (role -> OptionalModel).
    image_through_text_encoder: the input image goes through the text encoder (it needs its vision tower).
    vae_image_channels: the image channels the VAE must have (None: any; Qwen-Image-Layered: 4, RGBA).
    capability_loras: LoRAs that add a capability when attached (CapabilityLora).
    companions: optional companion files (role -> OptionalCompanion).

    A capability added by optional parts is served once every kind of part declared for it is there: one of its
    capability LoRAs (where it has any), each companion that adds it, and an optional model that adds it (where
    one does). missing_parts says what is still missing, in words for messages.
    """
    capabilities: tuple[str, ...]
    workflow_type: str
    text_encoders: tuple[str, ...]
    vae: str
    clip_type: str
    clip_vision: str | None = None
    clip_vision_required: bool = False
    overridable_to: tuple[str, ...] = ()
    model_roles: tuple[str, ...] = ("model",)
    resolution_multiple: int = 16
    example_file: str = ""
    vae_file: str | None = None
    optional_models: Mapping[str, OptionalModel] = field(default_factory=dict)
    image_through_text_encoder: bool = False
    vae_image_channels: int | None = None
    capability_loras: tuple[CapabilityLora, ...] = ()
    companions: Mapping[str, OptionalCompanion] = field(default_factory=dict)

    def all_capabilities(self) -> tuple[str, ...]:
        """Its own capabilities and those optional models, companions or capability LoRAs may add."""
        added = [c for m in self.optional_models.values() for c in m.adds]
        added += [c for m in self.companions.values() for c in m.adds]
        added += [lora.capability for lora in self.capability_loras]
        return self.capabilities + tuple(c for c in dict.fromkeys(added) if c not in self.capabilities)

    def loras_for(self, capability: str) -> tuple[CapabilityLora, ...]:
        return tuple(lora for lora in self.capability_loras if lora.capability == capability)

    def companions_for(self, capability: str) -> dict[str, OptionalCompanion]:
        return {role: c for role, c in self.companions.items() if capability in c.adds}

    def missing_parts(self, capability: str, *, models=(), companions=(), lora_names=()) -> list[str]:
        """What is missing for an added `capability`, given the optional model roles, companion roles and LoRA
        file names present, each as "<file> (models/<folder>) as <input>" ([] when it is served, or one of the
        variant's own capabilities)."""
        capability = str(capability)
        if capability in self.capabilities:
            return []
        missing = []
        loras = self.loras_for(capability)
        if loras and not any(lora.matches(name) for lora in loras for name in lora_names):
            missing.append(" or ".join(lora.example_file for lora in loras) + " (models/loras) as lora_1")
        for role, companion in self.companions_for(capability).items():
            if role not in companions:
                missing.append(f"{companion.example_file} (models/{companion.folder}) as {role}")
        optional = {role: m for role, m in self.optional_models.items() if capability in m.adds}
        if optional and not set(optional) & set(models):
            missing.append(" or ".join(f"{m.example_file} (models/diffusion_models) as {role}"
                                       for role, m in optional.items()))
        return missing


# ---------------------------------------------------------------------------------------------------------------
# What a family's loader node shows, and how the family's LoRAs are recognised.

@dataclass(frozen=True)
class FileSlot:
    """One file input of a loader node: its input name, model folder, role in the workflow and tooltip."""
    input_id: str
    folder: str
    role: str  # model, high_noise, low_noise, sr_model, text_encoder, vae, clip_vision
    tooltip: str
    optional: bool = False


@dataclass(frozen=True)
class LoaderSpec:
    """A family's loader node: identity, description and file slots (the LoRA, precision and variant inputs are
    common to every loader). expert_pair: a file in the low_noise slot makes the first model slot the high-noise
    expert (Wan 2.2 A14B)."""
    node_id: str
    display_name: str
    description: str
    model_slots: tuple[FileSlot, ...]
    text_encoder_slots: tuple[FileSlot, ...]
    vae_tooltip: str
    clip_vision_tooltip: str | None = None  # None: the family never uses CLIP vision
    expert_pair: bool = False


@dataclass(frozen=True)
class LoraRules:
    """How ComfyUI maps a LoRA onto this family (comfy/lora.py model_lora_keys_unet), for header-only checks.

    module_pattern: module paths (key prefix removed) of this family's diffusion model.
    key_formats: the LoRA key prefixes ComfyUI maps onto it ("bare" = no prefix).
    renames: LoRA spelling -> module spelling, applied as ComfyUI's key map does.
    unsupported_pattern / unsupported_hint: a naming ComfyUI never maps for this family, and what to use instead.
    notes: said of every LoRA recognised as this family's.
    """
    module_pattern: re.Pattern
    key_formats: tuple[str, ...]
    renames: tuple[tuple[str, str], ...] = ()
    unsupported_pattern: re.Pattern | None = None
    unsupported_hint: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyCheck:
    """The result of checking a file's keys against the full layout ComfyUI will build for it."""
    expected_count: int
    missing: tuple[str, ...]                                        # every missing key, in module order
    mismatched: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...]  # (key, expected, found)
    unexpected: tuple[str, ...]                                     # keys ComfyUI will ignore

    @property
    def ok(self) -> bool:
        return not self.missing and not self.mismatched


# Tensors that are not model parameters: quantisation bookkeeping (comfy.utils.convert_old_quants, comfy/ops.py)
# and markers. Imported lazily to keep families importable on their own.
def _is_aux(key: str) -> bool:
    from ..precision import is_quant_aux
    return is_quant_aux(key)


def check_keys(shapes: dict[str, tuple[int, ...]], expected: dict[str, tuple[int, ...]],
               optional: dict[str, tuple[int, ...] | None] | None = None,
               aliases: dict[str, str] | None = None) -> KeyCheck:
    """Compare a file's key -> shape map with the expected one.

    optional: keys ComfyUI also accepts (shape None: any shape); aliases: file spelling -> table spelling of the
    same tensor (e.g. HunyuanVideo `*_norm.weight` for `*_norm.scale`, which ComfyUI 0.33 renames on load).
    Quantisation auxiliaries (scale_weight, weight_scale, input_scale, comfy_quant, the scaled_fp8 marker) are
    never missing, mismatched or unexpected.
    """
    optional = optional or {}
    aliases = aliases or {}
    found: dict[str, tuple[int, ...]] = {}
    for key, shape in shapes.items():
        if _is_aux(key):
            continue
        found[aliases.get(key, key)] = tuple(shape)
    missing = tuple(k for k in expected if k not in found)
    mismatched = tuple((k, tuple(s), found[k]) for k, s in expected.items() if k in found and found[k] != tuple(s))
    mismatched += tuple((k, tuple(s), found[k]) for k, s in optional.items()
                        if s is not None and k in found and found[k] != tuple(s))
    unexpected = tuple(k for k in found if k not in expected and k not in optional)
    return KeyCheck(len(expected), missing, mismatched, unexpected)


def summarise_keys(keys, limit: int = 10) -> str:
    keys = list(keys)
    shown = ", ".join(repr(k) for k in keys[:limit])
    return shown + (f" ... and {len(keys) - limit} more" if len(keys) > limit else "")


def first_shape(layout, pattern_prefix: str, suffix: str, span: int):
    """The shape of `{pattern_prefix}{i}{suffix}` for the first block i that has it (None if no block has)."""
    for i in range(span):
        key = f"{pattern_prefix}{i}{suffix}"
        if layout.has(key):
            return layout.shape(key)
    return None


# ---------------------------------------------------------------------------------------------------------------
# Where a variant's files come from (each family's declarations.RELEASES), for the README and example workflows.

@dataclass(frozen=True)
class ReleaseFile:
    """An official release file: its name, the models folder it goes in, its download URL as ComfyUI's official
    templates list it (comfyui_workflow_templates_json 0.1.50, a node's properties.models) and the template that
    lists it; url is "" where no official template lists the file. optional: the variant runs without it."""
    name: str
    folder: str
    url: str = ""
    template: str = ""
    optional: bool = False

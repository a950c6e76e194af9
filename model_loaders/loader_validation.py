"""Header-only validation of everything a per-family loader node is given, before anything loads: the result
(ValidatedWorkflow) is what a ModelWorkflow describes.

    validated = validate_loader_inputs("wan", models={"model": path}, text_encoders=[te], vae=vae_path,
                                       clip_vision=None, loras=[(lora, 0.8)], precision="auto")

Every problem found is collected and reported together in one LoaderValidationError (a user fixes everything in
one go); each line names the file, what is wrong and the fix. Plain Python: reads only safetensors headers.

Decisions:
- A Wan 2.2 A14B pair whose file names say the experts are swapped (a "low_noise" file in the high_noise slot, or
  the reverse) is an ERROR: the swap silently degrades every video, and the fix (swap the two files) is trivial.
  Files whose names say nothing are taken as the slot says, with a note.
- A14B "high / low" is chosen by the slot (models["high_noise"] / models["low_noise"]); variant_override picks
  among variants with the very same layout only (families/*.DECLARATIONS[...].overridable_to).
- Forcing an fp8 dtype on a scaled_fp8 / comfy_quant file is refused (ComfyUI would cast its norms and
  modulations to fp8 too, and the per-layer scales already keep it fp8): use "auto".
- A CLIP-vision file given to a variant that uses none is ignored with a note, not an error.
- An optional companion file (families.base.OptionalCompanion, e.g. an alpha VAE) is identified from its header
  like every other file: another kind, or a variant that takes none, is an error. Where it (or a capability LoRA)
  is given without the other parts its capability needs, a note says what to add.
- A LoRA for another family, with no module landing on the model, or with factors of another model size is an
  error; one with only some modules unmapped gets a note (ComfyUI skips those keys).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from .components import (KINDS, ComponentDescription, LoraDescription, describe_kind, example_file, fit_lora,
                         identify_clip_vision, identify_lora, identify_text_encoder, identify_vae)
from .errors import CheckpointError, LoaderValidationError
from .families import FAMILIES, declaration, missing_and_mismatched
from .companion_files import component_type
from .families.base import OptionalCompanion, expert_from_name, summarise_keys
from .inspection import CheckpointDescription, describe_header
from .model_cache import file_identity
from .precision import (PRECISION_CHOICES, STORED_DTYPES, PrecisionChoice, PrecisionChoiceError, choose_precision,
                        is_quant_aux)
from .safetensors_header import SafetensorsHeader, read_safetensors_header

EXPERT_ROLES = ("high_noise", "low_noise")
# comfy/quant_ops.py QUANT_ALGOS (0.8 quant_ops.py:107-124; 0.33 quant_ops.py:235-250); "u8": nvfp4's storage.
KNOWN_QUANT_FORMATS = ("float8_e4m3fn", "float8_e5m2", "nvfp4", "u8")
# Text encoders without their vision tower: kind -> (the kind they stand in for where no image goes through the
# text encoder, what the file is, what to use instead).
_WITHOUT_VISION = {"qwen25_7b": ("qwen25_7b_vl", "a Qwen2.5-7B text encoder", "the Qwen2.5-VL-7B file")}
_SHOWN = 10


@dataclass(frozen=True)
class ValidatedModelFile:
    """A diffusion-model file as validated: where, which file exactly (model_cache.file_identity), its header and
    the precision decided for it. The load uses these as they are while the file is unchanged."""
    path: Path
    identity: tuple
    header: SafetensorsHeader
    precision: PrecisionChoice


@dataclass(frozen=True)
class ValidatedWorkflow:
    family: str
    variant: str
    variant_name: str
    variant_source: str                     # "weights", "file name", "slot" or "override"
    capabilities: tuple[str, ...]
    workflow_type: str                      # "video" | "image"
    precision: PrecisionChoice
    clip_type: str                          # comfy.sd.CLIPType member, lower case
    files: Mapping[str, Path]               # role -> path ("model"/"high_noise"/..., "text_encoder_1", "vae", ...)
    models: Mapping[str, CheckpointDescription]
    model_files: Mapping[str, ValidatedModelFile]  # role -> the file as validated, for loading
    text_encoders: tuple[ComponentDescription, ...]
    vae: ComponentDescription | None
    clip_vision: ComponentDescription | None
    loras: tuple[tuple[LoraDescription, float], ...]
    parameter_count: int                    # diffusion model(s)
    weight_bytes: int                       # exact tensor bytes of the diffusion model file(s)
    text_encoder_bytes: int
    vae_bytes: int
    clip_vision_bytes: int
    lora_bytes: int
    companions: Mapping[str, ComponentDescription] = field(default_factory=dict)  # role -> optional companion file
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def companion_bytes(self) -> int:
        return sum(d.weight_bytes for d in self.companions.values())


def loader_name(family: str) -> str:
    return FAMILIES[family].LOADER.display_name


def validate_loader_inputs(family: str, *, models: Mapping[str, str | os.PathLike],
                           text_encoders: list, vae=None, clip_vision=None, loras=(),
                           precision: str = "auto", variant_override: str = "auto",
                           companions: Mapping[str, str | os.PathLike] | None = None) -> ValidatedWorkflow:
    """companions: role -> file of the optional companion inputs given (families.base.OptionalCompanion)."""
    if family not in FAMILIES:
        raise LoaderValidationError("StoryCore loader", [
            f"unknown model family {family!r}: choose one of {', '.join(sorted(FAMILIES))}"])
    return _Validation(family).run(dict(models or {}), list(text_encoders or []), vae, clip_vision,
                                   list(loras or []), precision, variant_override, dict(companions or {}))


class _Validation:
    def __init__(self, family: str):
        self.read: dict[str, tuple] = {}  # role -> (file identity, header) of each diffusion model read
        self.family = family
        self.module = FAMILIES[family]
        self.problems: list[str] = []
        self.notes: list[str] = []

    def problem(self, text: str) -> None:
        self.problems.append(text)

    # -- the whole check ---------------------------------------------------------------------------------------
    def run(self, models, text_encoders, vae, clip_vision, loras, precision, variant_override, companions):
        if precision not in PRECISION_CHOICES:
            self.problem(f"precision {precision!r} is not a choice: use one of {', '.join(PRECISION_CHOICES)}")
        inspected = self._inspect_models(models)
        variant, source = self._resolve_variant(models, inspected, variant_override)
        decl = declaration(self.family, variant) if variant else None
        if decl:
            self._check_roles(variant, decl, inspected)
        for role, (desc, layout, match, _) in inspected.items():
            self._check_keys(desc, layout, match)
        choices = self._precision(inspected, precision)
        choice = next(iter(choices.values()), None) or PrecisionChoice(precision, "unknown", None, False,
                                                                       "no usable diffusion model")
        tes = self._text_encoders(text_encoders, variant, decl, inspected)
        vae_desc = self._vae(vae, variant, decl)
        cv_desc = self._clip_vision(clip_vision, variant, decl)
        lora_descs = self._loras(loras, inspected)
        companion_descs = self._companions(companions, variant, decl)
        if self.problems:
            raise LoaderValidationError(loader_name(self.family), self.problems)
        capabilities = self._capabilities(decl, inspected, companion_descs, [d.file_name for d, _ in lora_descs])
        files = {role: Path(models[role]) for role in inspected}
        files.update({f"text_encoder_{i + 1}": t.path for i, t in enumerate(tes)})
        if vae_desc:
            files["vae"] = vae_desc.path
        if cv_desc:
            files["clip_vision"] = cv_desc.path
        files.update({f"lora_{i + 1}": d.path for i, (d, _) in enumerate(lora_descs)})
        files.update({role: d.path for role, d in companion_descs.items()})
        return ValidatedWorkflow(
            family=self.family, variant=variant, variant_name=self.module.VARIANTS[variant], variant_source=source,
            capabilities=capabilities, workflow_type=decl.workflow_type, precision=choice, clip_type=decl.clip_type,
            files=MappingProxyType(files), models=MappingProxyType({r: v[0] for r, v in inspected.items()}),
            model_files=MappingProxyType({role: ValidatedModelFile(Path(models[role]), *self.read[role],
                                                                   choices[role]) for role in inspected}),
            text_encoders=tuple(tes), vae=vae_desc, clip_vision=cv_desc, loras=tuple(lora_descs),
            parameter_count=sum(v[0].parameter_count for v in inspected.values()),
            weight_bytes=sum(v[0].weight_bytes for v in inspected.values()),
            text_encoder_bytes=sum(t.weight_bytes for t in tes),
            vae_bytes=vae_desc.weight_bytes if vae_desc else 0,
            clip_vision_bytes=cv_desc.weight_bytes if cv_desc else 0,
            lora_bytes=sum(d.weight_bytes for d, _ in lora_descs), companions=MappingProxyType(companion_descs),
            notes=tuple(self.notes))

    def _capabilities(self, decl, inspected, companions, lora_names):
        """The variant's own capabilities, plus each added one whose parts are all there; a note for each added
        one of which only some parts are there."""
        added = []
        for capability in decl.all_capabilities()[len(decl.capabilities):]:
            missing = decl.missing_parts(capability, models=inspected, companions=companions, lora_names=lora_names)
            if not missing:
                added.append(capability)
                continue
            given = [desc.file_name for role, desc in companions.items() if capability in decl.companions[role].adds]
            given += [name for name in lora_names if any(l.matches(name) for l in decl.loras_for(capability))]
            if given:
                self.notes.append(f"{', '.join(given)}: {capability} also needs {'; and '.join(missing)}: add "
                                  f"{'it' if len(missing) == 1 else 'them'} to serve {capability}")
        return decl.capabilities + tuple(added)

    # -- diffusion models --------------------------------------------------------------------------------------
    def _inspect_models(self, models):
        inspected = {}
        roles = accepted_model_roles(self.module)
        unknown = [r for r in models if r not in roles]
        for role in unknown:
            self.problem(f"{Path(models[role]).name}: unknown model input {role!r}; the inputs are "
                         f"{', '.join(roles)}")
        if not [r for r in models if r in roles]:
            self.problem(f"no diffusion model was given: choose a {self.module.DISPLAY_NAME} diffusion model file "
                         f"(models/diffusion_models)")
        for role in roles:
            if role not in models:
                continue
            path = Path(models[role])
            try:
                header = read_safetensors_header(path)
                identity = file_identity(path)  # the load re-reads the file if this changes
                desc, layout, match = describe_header(header)
            except (CheckpointError, OSError) as exc:
                self.problem(str(exc) if isinstance(exc, CheckpointError) else
                             f"{path.name}: cannot be read ({exc}): check that the file exists and is readable")
                continue
            if desc.family != self.family:
                self.problem(f"{path.name} is a {desc.family_name} checkpoint ({desc.variant_name}) — use the "
                             f"{loader_name(desc.family)}, or choose a {self.module.DISPLAY_NAME} model here")
                continue
            inspected[role] = (desc, layout, match, path)
            self.read[role] = (identity, header)
        return inspected

    def _resolve_variant(self, models, inspected, override):
        primary = next((r for r in ("model",) + EXPERT_ROLES if r in inspected), None)
        if primary is None:
            optional = next((r for r in inspected if r not in ("model",) + EXPERT_ROLES), None)
            if optional and override == "auto":  # only an optional model (e.g. the SR stage on its own)
                return inspected[optional][0].variant, "weights"
            return None, ""
        desc, _, match, _ = inspected[primary]
        variant, source = match.variant, match.variant_source
        decls = self.module.DECLARATIONS
        expert_slots = set(EXPERT_ROLES) & set(inspected)
        if expert_slots and decls[variant].model_roles == ("model",):
            # Same layout as an A14B expert: the slot says which model it is.
            paired = [v for v in decls[variant].overridable_to if decls[v].model_roles != ("model",)]
            if paired and override in ("auto", paired[0]):
                variant, source = paired[0], "slot"
        if override != "auto":
            if override not in self.module.VARIANTS:
                self.problem(f"variant {override!r} is not a {self.module.DISPLAY_NAME} variant: choose auto or one "
                             f"of {', '.join(self.module.VARIANTS)}")
            elif override != variant:
                allowed = override in decls[match.variant].overridable_to and (
                    match.ambiguous_with or match.variant_source != "weights")
                if not allowed:
                    self.problem(
                        f"{desc.file_name} cannot be used as {self.module.VARIANTS[override]}: its weights say it is "
                        f"{self.module.VARIANTS[match.variant]}, whose layout differs (the override only chooses "
                        f"among variants with the very same layout"
                        + (f": {', '.join(self.module.VARIANTS[v] for v in decls[match.variant].overridable_to)}"
                           if decls[match.variant].overridable_to else ", and this one has none")
                        + "). Set the variant to auto, or choose a file of that variant")
                else:
                    variant, source = override, "override"
        if source == "file name" and override == "auto":
            self.notes.append(f"{desc.file_name}: taken as {self.module.VARIANTS[variant]} from its file name "
                              f"(the weights cannot tell); set the variant if that is wrong")
        return variant, source

    def _check_roles(self, variant, decl, inspected):
        name = self.module.VARIANTS[variant]
        roles = set(inspected)
        if decl.model_roles == EXPERT_ROLES:
            if "model" in roles:
                desc = inspected["model"][0]
                self.problem(f"{desc.file_name} is a {name} expert; the A14B model comes as two experts: give this "
                             f"file as high_noise or low_noise (as its name or model card says) and the other "
                             f"expert in the other input")
            for role, other in (("high_noise", "low_noise"), ("low_noise", "high_noise")):
                if role in roles and other not in roles:
                    desc = inspected[role][0]
                    self.problem(f"{desc.file_name} is the {role.replace('_', '-')} expert of {name}; the "
                                 f"{other.replace('_', '-')} expert is missing: add it as {other} (e.g. "
                                 f"{_expert_example(desc.file_name, role, other, decl.example_file)})")
            if set(EXPERT_ROLES) <= roles:
                self._check_pair(inspected["high_noise"], inspected["low_noise"], decl)
        elif roles & set(EXPERT_ROLES):
            for role in sorted(roles & set(EXPERT_ROLES)):
                self.problem(f"{inspected[role][0].file_name} is a {name} model, which is a single file: give it as "
                             f"model (high_noise / low_noise are for the Wan 2.2 A14B experts)")
        for role in sorted(roles - set(decl.model_roles) - set(EXPERT_ROLES) - {"model"}):
            desc, _, match, _ = inspected[role]
            extra = decl.optional_models.get(role)
            if extra is None:
                takers = [v for v, d in self.module.DECLARATIONS.items() if role in d.optional_models]
                self.problem(f"{desc.file_name}: {role} is only for "
                             f"{', '.join(self.module.VARIANTS[v] for v in takers) or 'no variant'}; remove it "
                             f"for {name}")
            elif match.variant != extra.variant:
                self.problem(f"{desc.file_name} is {desc.variant_name}, not the {self.module.VARIANTS[extra.variant]} "
                             f"model: choose e.g. {extra.example_file} as {role}")

    def _check_pair(self, high, low, decl):
        (hd, hl, hm, hp), (ld, ll, lm, lp) = high, low
        if os.path.realpath(hp) == os.path.realpath(lp):
            self.problem(f"{hd.file_name} was given as both the high-noise and the low-noise expert: the two "
                         f"experts are different files; give the low-noise one as low_noise")
            return
        for desc, slot, other in ((hd, "high_noise", "low_noise"), (ld, "low_noise", "high_noise")):
            named = expert_from_name(desc.file_name)
            if named and named != slot:
                self.problem(f"{desc.file_name} is named as the {named.replace('_', '-')} expert but was given as "
                             f"{slot}: swap the two files (high_noise runs the first, noisy steps)")
            elif not named:
                self.notes.append(f"{desc.file_name}: its name does not say which A14B expert it is; used as "
                                  f"{slot} because of the input it was given in")
        if hm.variant != lm.variant:
            self.problem(f"the A14B experts differ: {hd.file_name} is {hd.variant_name} but {ld.file_name} is "
                         f"{ld.variant_name}: give the two experts of the same model")
            return
        hs = {k: v for k, v in hl.shapes.items() if not is_quant_aux(k)}
        ls = {k: v for k, v in ll.shapes.items() if not is_quant_aux(k)}
        if hs != ls:
            differing = sorted(set(hs) ^ set(ls)) + sorted(k for k in set(hs) & set(ls) if hs[k] != ls[k])
            self.problem(f"the A14B experts {hd.file_name} and {ld.file_name} have different layouts (e.g. "
                         f"{summarise_keys(differing, 5)}): give the high- and low-noise experts of the same model")
        if hd.precision.get("format") != ld.precision.get("format"):
            self.notes.append(f"the experts are stored differently ({hd.file_name}: {hd.precision.get('format')}, "
                              f"{ld.file_name}: {ld.precision.get('format')})")

    def _check_keys(self, desc, layout, match):
        try:
            check = missing_and_mismatched(layout, match)
        except KeyError as missing:
            self.problem(f"{desc.file_name} lacks {missing.args[0]!r}, which ComfyUI needs to size the model: the "
                         f"file is incomplete or damaged. Download it again")
            return
        if check.missing:
            self.problem(f"{desc.file_name} is missing {len(check.missing)} of the {check.expected_count} weights "
                         f"of {desc.variant_name} ({summarise_keys(check.missing, _SHOWN)}); ComfyUI would leave them "
                         f"as uninitialised memory. The file is incomplete or damaged: download it again")
        if check.mismatched:
            shown = "; ".join(f"{k}: expected {list(e)}, found {list(f)}" for k, e, f in check.mismatched[:5])
            more = f" ... and {len(check.mismatched) - 5} more" if len(check.mismatched) > 5 else ""
            self.problem(f"{desc.file_name} has {len(check.mismatched)} weights whose shapes do not fit the rest of "
                         f"the {desc.variant_name} model ({shown}{more}). The file is damaged or was merged from "
                         f"different models: download it again")
        if check.unexpected:
            self.notes.append(f"{desc.file_name}: {len(check.unexpected)} tensors ComfyUI does not use "
                              f"({summarise_keys(check.unexpected, 5)}) are ignored")

    # -- precision ---------------------------------------------------------------------------------------------
    def _precision(self, inspected, requested):
        # An unknown choice is reported by run(); the files are still checked (as for "auto").
        effective = requested if requested in PRECISION_CHOICES else "auto"
        choices = {}
        for role, (desc, _, _, _) in inspected.items():
            unknown = [f for f in desc.precision.get("quantized_formats", []) if f not in KNOWN_QUANT_FORMATS]
            if unknown:
                self.problem(f"{desc.file_name} declares quantised layers in {', '.join(map(str, unknown))}, which "
                             f"ComfyUI cannot run (known: float8_e4m3fn, float8_e5m2, nvfp4): choose another release")
                continue
            try:
                file_choice = choose_precision(desc, effective)
            except PrecisionChoiceError as exc:
                self.problem(str(exc))
                continue
            fmt = desc.precision["format"]
            if file_choice.weight_dtype and fmt in STORED_DTYPES and STORED_DTYPES[fmt] != file_choice.weight_dtype \
                    and fmt.startswith("fp8"):
                self.notes.append(f"{desc.file_name} is stored as {fmt}; {effective} re-casts every weight to "
                                  f"{file_choice.weight_dtype} (lossy): auto keeps it as stored")
            choices[role] = file_choice
        return choices

    # -- companions --------------------------------------------------------------------------------------------
    def _who(self, variant):
        decls = self.module.DECLARATIONS
        same = len({(d.text_encoders, d.vae) for d in decls.values()}) == 1
        return self.module.DISPLAY_NAME if same or not variant else self.module.VARIANTS[variant]

    def _identify(self, identify, path, what):
        try:
            return identify(path)
        except CheckpointError as exc:
            self.problem(str(exc))
        except OSError as exc:
            self.problem(f"{Path(path).name}: the {what} cannot be read ({exc}): check that the file exists")
        return None

    def _text_encoders(self, paths, variant, decl, inspected):
        descs = [d for d in (self._identify(identify_text_encoder, p, "text encoder") for p in paths) if d]
        if decl is None:
            stand_ins = [k for k, (with_vision, _, _) in _WITHOUT_VISION.items()
                         if with_vision in self._family_kinds("text_encoders")]
            for desc in descs:
                self._check_family_kind(desc, "text_encoders", stand_ins)
            return descs
        who = self._who(variant)
        needed = list(decl.text_encoders)
        needs = " and ".join(f"{describe_kind(k, False)} (e.g. {example_file(k)})" for k in needed)
        unused = []
        for desc in descs:
            kind = desc.kind
            with_vision, what, instead = _WITHOUT_VISION.get(kind, (None, "", ""))
            if with_vision in needed:
                if decl.image_through_text_encoder:
                    self.problem(f"{desc.file_name} is {what} without the vision tower; "
                                 f"{self.module.VARIANTS[variant]} passes the input image through it: use "
                                 f"{instead} (e.g. {example_file(with_vision)})")
                    needed.remove(with_vision)
                    continue
                self.notes.append(f"{desc.file_name} has no vision tower: fine for text prompts only")
                kind = with_vision
            if kind in needed:
                needed.remove(kind)
            elif kind in decl.text_encoders:
                self.problem(f"{desc.file_name} is {describe_kind(kind)}, given twice: {who} needs one each of "
                             f"{needs}; remove the extra one")
            else:
                unused.append(desc)
        for desc in unused:
            self.problem(f"{desc.file_name} is {describe_kind(desc.kind)}; {who} needs {needs}")
        if needed and not unused:
            missing = " and ".join(f"{describe_kind(k, False)} (e.g. {example_file(k)})" for k in needed)
            self.problem(f"{who} needs {missing}, which is missing: add it to the text encoders")
        self._check_te_widths(descs, inspected)
        return descs

    def _check_te_widths(self, descs, inspected):
        rules = self.module.TEXT_ENCODER_WIDTHS
        model = next(iter(inspected.values()), None)
        if model is None:
            return
        for desc in descs:
            arch_key = rules.get(desc.kind)
            width = desc.dims.get("hidden_size")
            expected = model[0].architecture.get(arch_key) if arch_key else None
            if expected and width and width != expected:
                self.problem(f"{desc.file_name} produces {width}-wide features but {model[0].file_name} expects "
                             f"{expected} ({arch_key}): they belong to different models; use the text encoder made "
                             f"for this model (e.g. {example_file(desc.kind)})")

    # Without a usable diffusion model (another family's, unreadable, none) the variant is unknown: each companion is
    # still checked against every variant of this family, so all problems are reported together.
    def _family_kinds(self, field: str) -> list[str]:
        values = []
        for d in self.module.DECLARATIONS.values():
            value = getattr(d, field)
            values += [v for v in (value if isinstance(value, tuple) else (value,)) if v and v not in values]
        return values

    def _check_family_kind(self, desc, field: str, also=()):
        kinds = self._family_kinds(field)
        if desc is not None and desc.kind not in kinds and desc.kind not in also:
            self.problem(f"{desc.file_name} is {describe_kind(desc.kind)}; the {loader_name(self.family)} takes "
                         + " or ".join(f"{describe_kind(k, False)} (e.g. {example_file(k)})" for k in kinds))

    def _vae(self, path, variant, decl):
        if decl is None:
            desc = self._identify(identify_vae, path, "VAE") if path else None
            self._check_family_kind(desc, "vae")
            return desc
        need = decl.vae
        example = decl.vae_file or example_file(need)
        name = self.module.VARIANTS[variant]
        if not path:
            self.problem(f"the {name} model needs the {KINDS[need][0]} ({example}); no VAE was given: add it")
            return None
        desc = self._identify(identify_vae, path, "VAE")
        if desc and desc.kind != need:
            self.problem(f"the {name} model needs the {KINDS[need][0]} ({example}); {desc.file_name} is the "
                         f"{desc.display_name}")
        elif desc and decl.vae_image_channels and desc.dims.get("image_channels") != decl.vae_image_channels:
            self.problem(f"the {name} model needs a VAE with {decl.vae_image_channels} image channels ({example}); "
                         f"{desc.file_name} has {desc.dims.get('image_channels', 'unknown')}: use {example}")
        return desc

    def _clip_vision(self, path, variant, decl):
        if not path:
            if decl is not None and decl.clip_vision_required:
                self.problem(f"{self.module.VARIANTS[variant]} needs {describe_kind(decl.clip_vision, False)} (e.g. "
                             f"{example_file(decl.clip_vision)}); no CLIP vision file was given: add it")
            return None
        desc = self._identify(identify_clip_vision, path, "CLIP vision encoder")
        if decl is None and self._family_kinds("clip_vision"):
            self._check_family_kind(desc, "clip_vision")
        if desc is None or decl is None:
            return desc
        name = self.module.VARIANTS[variant]
        if decl.clip_vision is None:
            self.notes.append(f"{desc.file_name}: {name} uses no CLIP vision encoder; the file is ignored")
            return None
        if desc.kind != decl.clip_vision:
            self.problem(f"{desc.file_name} is {describe_kind(desc.kind)}; {name} uses "
                         f"{describe_kind(decl.clip_vision, False)} (e.g. {example_file(decl.clip_vision)})"
                         + ("" if decl.clip_vision_required else ", or none"))
        return desc

    def _companions(self, given, variant, decl) -> dict:
        """role -> ComponentDescription of each optional companion file given, checked against what its input
        takes (the variant's declaration, or any variant's where the variant is unknown)."""
        declared = declared_companions(self.module)
        out = {}
        for role, path in given.items():
            name = Path(path).name
            if role not in declared:
                self.problem(f"{name}: unknown companion input {role!r}; the {loader_name(self.family)} takes "
                             f"{', '.join(declared) or 'none'}")
                continue
            companion = decl.companions.get(role) if decl else declared[role]
            if companion is None:
                takers = [v for v, d in self.module.DECLARATIONS.items() if role in d.companions]
                self.problem(f"{name}: {role} is only for {', '.join(self.module.VARIANTS[v] for v in takers)}; "
                             f"remove it for {self.module.VARIANTS[variant]}")
                continue
            desc = self._identify_companion(role, companion, path)
            if desc is not None:
                out[role] = desc
        return out

    def _identify_companion(self, role: str, companion: OptionalCompanion, path):
        kind = component_type(companion.component)
        needs = f"{role} needs {describe_kind(companion.kind)} (e.g. {companion.example_file})"
        try:
            desc = kind.identify(path)
        except CheckpointError as exc:
            self.problem(f"{role}: {exc}; {needs}")
            return None
        except OSError as exc:
            self.problem(f"{Path(path).name}: the {kind.what} given as {role} cannot be read ({exc}): check that "
                         f"the file exists")
            return None
        if desc.kind != companion.kind:
            self.problem(f"{desc.file_name} is {describe_kind(desc.kind)}, given as {role}; {needs}")
            return None
        return desc

    def _loras(self, loras, inspected):
        out = []
        model = next(iter(inspected.values()), None)
        for item in loras:
            try:
                path, strength = item
                strength = float(strength)
            except (TypeError, ValueError):
                self.problem(f"LoRA entry {item!r} is not a (file, strength) pair with a numeric strength")
                continue
            name = Path(path).name
            if not math.isfinite(strength):
                self.problem(f"{name}: LoRA strength {strength} is not a finite number: use e.g. 1.0")
                continue
            desc = self._identify(identify_lora, path, "LoRA")
            if desc is None:
                continue
            out.append((desc, strength))
            here = self.module.DISPLAY_NAME
            example = next(iter(desc.modules), "?")
            if desc.target_family is None:
                self.problem(f"{name}: its keys (e.g. {example!r}) target no model family StoryCore knows; the "
                             f"{here} loader cannot apply it: remove it or choose a {here} LoRA")
                continue
            if desc.target_family != self.family:
                self.problem(f"{name} is a LoRA for {FAMILIES[desc.target_family].DISPLAY_NAME} (keys like "
                             f"{example!r}); the {here} loader cannot apply it: remove it or choose a {here} LoRA")
                continue
            if desc.unsupported_naming:
                self.problem(f"{name} uses key names (e.g. {example!r}) that ComfyUI does not map onto {here} "
                             f"models, so it would have no effect: {self.module.LORA_RULES.unsupported_hint}")
                continue
            if strength == 0:
                self.notes.append(f"{name}: strength 0 has no effect")
            if model is None:
                continue
            fit = fit_lora(desc, model[1].shapes)
            if fit.mapped == 0 and fit.unmapped_formats:
                self.problem(f"{name}: its keys use the {' / '.join(fit.unmapped_formats)} naming (e.g. {example!r}), "
                             f"which ComfyUI does not map onto {here} models, so it would have no effect: use a "
                             f"ComfyUI-format {here} LoRA (diffusion_model.<module> or lora_unet_<module> keys)")
            elif fit.mapped == 0:
                self.problem(f"{name}: none of its {len(desc.modules)} modules (e.g. {example!r}) lands on a weight "
                             f"of {model[0].file_name} ({model[0].variant_name}): it is for another {here} variant; "
                             f"remove it or choose a LoRA for this model")
            elif fit.mismatched:
                module, what = fit.mismatched[0]
                self.problem(f"{name} does not fit {model[0].file_name}: {len(fit.mismatched)} modules have other "
                             f"sizes (e.g. {module}: {what}); it was trained for a model of another size: choose a "
                             f"LoRA for {model[0].variant_name} at this size")
            elif fit.unmapped:
                self.notes.append(f"{name}: {len(fit.unmapped)} of its {len(desc.modules)} modules match no weight "
                                  f"of this model ({summarise_keys(fit.unmapped, 3)}); ComfyUI skips them")
        return out


def accepted_model_roles(module) -> tuple[str, ...]:
    """The diffusion-model inputs a family's loader takes: model, the A14B-style expert pair where a variant comes
    as two experts, and the variants' optional models (e.g. sr_model)."""
    declarations = module.DECLARATIONS.values()
    roles = ["model"] + (list(EXPERT_ROLES) if any(d.model_roles == EXPERT_ROLES for d in declarations) else [])
    roles += [role for d in declarations for role in d.optional_models if role not in roles]
    return tuple(dict.fromkeys(roles))


def declared_companions(module) -> dict[str, OptionalCompanion]:
    """role -> OptionalCompanion of every companion input a family's loader takes (the first variant declaring a
    role gives its folder and tooltip), in declaration order."""
    out: dict[str, OptionalCompanion] = {}
    for d in module.DECLARATIONS.values():
        for role, companion in d.companions.items():
            out.setdefault(role, companion)
    return out


def _expert_example(file_name: str, role: str, other: str, official_file: str) -> str:
    """The other expert's likely file name: this one's with high/low swapped, else the official release's."""
    mine, theirs = role.split("_")[0], other.split("_")[0]
    for name in (file_name, official_file):
        lowered = name.lower()
        for sep in ("_", "-", ""):
            token = f"{mine}{sep}noise"
            index = lowered.find(token)
            if index >= 0:
                return name[:index] + f"{theirs}{sep}noise" + name[index + len(token):]
    return official_file or f"the {theirs}-noise expert file"

"""ModelWorkflow: what a StoryCore loader node outputs — a validated, routable description of one family
workflow (files, options, capabilities, size), registered with the routing core. Nothing is loaded until
one of the load_* methods is called, so four loaders wired to one router load one model.

Importing this module needs neither torch nor comfy; the load_* methods import them when called.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..routing import BaseAdvancedWorkflow, RequestRules, WorkflowType, default_registry
from .companion_files import component_type, load_vae_file
from .families import FAMILIES
from .loader_validation import ValidatedWorkflow, validate_loader_inputs

NEUTRAL_QUALITY_PRIOR = 0.5  # the routing config's per-family priors take precedence over this


class ModelWorkflow(BaseAdvancedWorkflow):
    def __init__(self, validated: ValidatedWorkflow):
        self.validated = validated
        self.loras = [(lora.path, float(strength)) for lora, strength in validated.loras]
        family = FAMILIES[validated.family]
        super().__init__(
            name=self._name(validated, self.loras),
            family=validated.family,
            variant=validated.variant,
            workflow_type=WorkflowType(validated.workflow_type),
            capabilities={c: NEUTRAL_QUALITY_PRIOR for c in validated.capabilities},
            parameter_count=validated.parameter_count,
            weight_bytes=validated.weight_bytes,
            rules=RequestRules(resolution_multiple=family.DECLARATIONS[validated.variant].resolution_multiple),
        )

    @staticmethod
    def _name(validated: ValidatedWorkflow, loras) -> str:
        main = validated.files.get("model") or validated.files.get("high_noise")
        parts = [validated.family, validated.variant, Path(main).stem, validated.precision.requested]
        parts += [f"{Path(p).stem}@{s:g}" for p, s in loras]
        return ":".join(parts)

    # -- what the node shows ----------------------------------------------------------------------------
    def summary(self) -> dict:
        v = self.validated
        return {
            "name": self.name,
            "family": v.family,
            "variant": v.variant,
            "variant_name": v.variant_name,
            "capabilities": sorted(str(c) for c in v.capabilities),
            "precision": {"requested": v.precision.requested, "stored": v.precision.stored_format,
                          "weight_dtype": v.precision.weight_dtype or "ComfyUI default"},
            "parameter_count": v.parameter_count,
            "weight_bytes": v.weight_bytes,
            "weight_gib": round(v.weight_bytes / 2**30, 3),
            # What loading costs before any sampling; a request adds activations (estimate_memory(request)).
            "memory_estimate": {
                "diffusion_model_bytes": v.weight_bytes,
                "all_files_bytes": v.weight_bytes + v.text_encoder_bytes + v.vae_bytes + v.clip_vision_bytes
                + v.lora_bytes + v.companion_bytes,
                "activation_bytes_per_token": self.memory_model.activation_bytes_per_token,
            },
            "files": {role: Path(p).name for role, p in v.files.items()},
            "loras": [{"file": p.name, "strength": s} for p, s in self.loras],
            "notes": list(v.notes),
        }

    def report_text(self) -> str:
        return json.dumps(self.summary(), indent=2)

    # -- loading (only the workflow that is used) ------------------------------------------------------
    def load_diffusion_models(self, roles=None) -> dict:
        """Role -> core ModelPatcher ("model", or "high_noise" + "low_noise" for Wan 2.2 A14B, and "sr_model"
        for HunyuanVideo 1.5), with the LoRAs applied to all but the super-resolution stage. Only `roles` where
        given; otherwise every role but the optional models (an optional stage's model, e.g. "sr_model", loads
        only when its stage names it)."""
        from .diffusion_loading import apply_lora
        from .model_cache import load_diffusion_model
        optional = self._declaration().optional_models
        models = {}
        for role, validated in self.validated.model_files.items():
            if (role not in roles) if roles is not None else (role in optional):
                continue
            # The precision and header decided when the loader node checked the file (unless it changed since).
            model = load_diffusion_model(validated.path, validated=validated)
            for lora_path, strength in self.loras:
                if role != "sr_model":
                    model = apply_lora(model, lora_path, strength)
            models[role] = model
        return models

    def load_vae(self):
        return load_vae_file(self.validated.files["vae"])

    def has_companion(self, role: str) -> bool:
        """Whether the optional companion input `role` (families.base.OptionalCompanion) was given a file."""
        return role in self.validated.companions

    def load_companion(self, role: str):
        """The optional companion file given as `role`, loaded as its component type loads (companion_files: a VAE
        through comfy.sd.VAE, ...). Raises KeyError naming the input where none was given."""
        desc = self.validated.companions.get(role)
        if desc is None:
            raise KeyError(self.no_companion_message(role))
        return component_type(self._declaration().companions[role].component).load(desc.path)

    def no_companion_message(self, role: str) -> str:
        declared = self._declaration().companions.get(role)
        hint = f": give {declared.example_file} (models/{declared.folder}) as {role}" if declared else ""
        return f"{self.name}: no {role} file was given to its loader{hint}"

    def load_clip_vision(self):
        path = self.validated.files.get("clip_vision")
        if path is None:
            return None
        import comfy.clip_vision
        return comfy.clip_vision.load(str(path))

    def load_text_encoder(self):
        import comfy.sd
        import folder_paths
        clip_type = getattr(comfy.sd.CLIPType, self.validated.clip_type.upper())
        paths = [str(te.path) for te in self.validated.text_encoders]
        return comfy.sd.load_clip(ckpt_paths=paths, embedding_directory=folder_paths.get_folder_paths("embeddings"),
                                  clip_type=clip_type)

    # -- request rules --------------------------------------------------------------------------------------
    def _declaration(self):
        return FAMILIES[self.family].DECLARATIONS[self.variant]

    def capability_loras(self, capability) -> list:
        """The attached LoRAs' CapabilityLora entries for `capability` (e.g. 2509's Relight), in declared order."""
        declared = self._declaration().loras_for(str(capability))
        return [lora for lora in declared if any(lora.matches(Path(p).name) for p, _ in self.loras)]

    def missing_parts(self, capability) -> list[str]:
        """What this workflow's loader still needs for a capability that comes with optional parts (a capability
        LoRA, companion files, an optional model), in words; [] where nothing is missing."""
        return self._declaration().missing_parts(
            capability, models=self.validated.model_files, companions=self.validated.companions,
            lora_names=[Path(p).name for p, _ in self.loras])

    def unsupported_reason(self, capability) -> str:
        """Says which parts to add where a capability comes with optional parts (2509's relighting LoRA, ...)."""
        decl, capability = self._declaration(), str(capability)
        missing = self.missing_parts(capability) if capability in decl.all_capabilities() else []
        if not missing:
            return super().unsupported_reason(capability)
        parts = (["LoRA"] if decl.loras_for(capability) else []) + list(decl.companions_for(capability))
        parts += [role for role, m in decl.optional_models.items() if capability in m.adds]
        return (f"serves {capability} only with its {' and '.join(parts)} attached: add to its loader "
                + "; and ".join(missing))

    def validate_request(self, request):
        """The routing rules, plus: a capability that comes with optional parts says which parts to add, and one
        whose only attached LoRA relights from a reference says to wire that reference."""
        reasons = super().validate_request(request)
        capability = str(request.capability)
        if capability not in self._declaration().all_capabilities() or capability in self._declaration().capabilities:
            return reasons
        if not self.supports(request.capability):
            return [f"{self.name} {self.unsupported_reason(request.capability)}"]
        wanted = self._declaration().loras_for(capability)
        if not wanted:
            return reasons
        attached = self.capability_loras(request.capability)
        if all(lora.needs_reference for lora in attached) and "reference_images" not in request.inputs_present():
            others = [lora.example_file for lora in wanted if not lora.needs_reference]
            used = next(Path(p).name for p, _ in self.loras if attached[0].matches(Path(p).name))
            reasons.append(f"{request.capability} with {used} relights the image with the light of a reference "
                           f"image: wire reference_image" + (f", or attach {' or '.join(others)} instead" if others
                                                              else ""))
        return reasons

    # -- running (the StoryCore Advanced Router) -------------------------------------------------------------
    def execute(self, request):
        """Run the family's recipe for `request.capability` (request.payload: sampling.router_inputs.RouterInputs);
        returns routing's ExecutionOutput (images, latent, mask, ui) with this attempt's peak memory."""
        from .sampling.runner import execute
        return execute(self, request)


def build_model_workflow(family: str, *, models: dict, text_encoders: list, vae, clip_vision, loras: list,
                         precision: str, variant_override: str = "auto", companions: dict | None = None
                         ) -> ModelWorkflow:
    """Validate everything a loader node was given (headers only) and describe the workflow."""
    validated = validate_loader_inputs(family, models=models, text_encoders=text_encoders, vae=vae,
                                       clip_vision=clip_vision, loras=loras, precision=precision,
                                       variant_override=variant_override, companions=companions)
    return ModelWorkflow(validated)


def register_workflow(workflow: ModelWorkflow, registry=None) -> None:
    """Make the workflow known to the routing core (the process-wide registry unless one is given)."""
    (registry or default_registry()).register(workflow, category=workflow.family, replace=True)

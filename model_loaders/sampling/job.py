"""What a family recipe works with: one attempt of one workflow on one request.

A recipe asks the job for models (only this workflow's, loaded through the pack's memory-floor loader and its
cache, and kept for the next prompt by kept_models), conditioning (the given CONDITIONING, else the prompt through the family's text encoder and ComfyUI's
CLIPTextEncode), runs ComfyUI's own nodes, samples with comfy.sample on one progress bar, and finishes with
decode + save. Every stage is timed, memory is sampled, and the user's interrupt is checked between stages.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import torch

import comfy.sample
import comfy.utils

from . import kept_models
from .comfy_nodes import run_node
from .masks import output_mask
from .measure import AttemptMeasure
from .progress import StageProgress
from .saving import save_result
from .settings import Settings


def _empty_noise(latent_image):
    """No noise (KSamplerAdvanced add_noise off): ComfyUI 0.33's helper, or what 0.8's common_ksampler builds."""
    prepare = getattr(comfy.sample, "prepare_empty_noise", None)
    if prepare is not None:
        return prepare(latent_image)
    return torch.zeros(latent_image.size(), dtype=latent_image.dtype, layout=latent_image.layout, device="cpu")


@dataclass
class JobResult:
    images: Any
    latent: dict
    mask: Any
    ui: dict


class SamplingJob:
    def __init__(self, workflow, request, inputs, settings: Settings, notes: list[str], video: bool):
        self.workflow = workflow
        self.request = request
        self.inputs = inputs
        self.settings = settings
        self.notes = list(notes)
        self.video = video
        self.measure = AttemptMeasure()
        # One bar: every sampling step of the schedule, then decoding.
        self.progress = StageProgress(settings.steps + 1, node_id=inputs.node_id)
        self._models: Optional[dict] = None
        self._vae = None
        self.stages: list[dict] = []  # each sampling stage: model label, steps run (for the report)

    # -- loading (only this workflow's files) ---------------------------------------------------------------------
    def _kept(self, part: str, load):
        value = kept_models.get(self.workflow, part)
        if value is None:
            self.progress.check_interrupt()
            with self.measure.stage("load"):
                value = load()
            kept_models.put(self.workflow, part, value)
        return value

    def models(self, roles: Optional[tuple] = None) -> dict:
        """The workflow's diffusion models by role; only `roles` where given (a stage that uses one model of the
        workflow loads only that one, e.g. HunyuanVideo 1.5's SR model for given frames)."""
        if roles is not None:
            roles = tuple(roles)
            return self._kept("models:" + ",".join(roles), lambda: self.workflow.load_diffusion_models(roles))
        if self._models is None:
            self._models = self._kept("models", self.workflow.load_diffusion_models)
        return self._models

    def vae(self):
        if self._vae is None:
            self._vae = self._kept("vae", self.workflow.load_vae)
        return self._vae

    def companion(self, role: str, required: bool = True):
        """The optional companion file given as `role` on the loader (e.g. "alpha_vae"), loaded on first use and kept
        like the models; None where none was given and not `required`, else InvalidRequestError naming the input."""
        if not self.workflow.has_companion(role):
            if not required:
                return None
            from .routing_types import InvalidRequestError
            raise InvalidRequestError(self.workflow.no_companion_message(role))
        return self._kept(f"companion:{role}", lambda: self.workflow.load_companion(role))

    def clip_vision(self):
        with self.measure.stage("load"):
            return self.workflow.load_clip_vision()

    # -- conditioning ---------------------------------------------------------------------------------------------
    def conditioning(self, positive_text: Optional[str] = None, negative_text: Optional[str] = None,
                     encode=None):
        """(positive, negative): the CONDITIONING given to the router, else the texts (default: the request's
        prompt and negative prompt) through the workflow's text encoder and ComfyUI's CLIPTextEncode, or
        `encode(clip, text) -> CONDITIONING` where the recipe's template uses another text node."""
        self.progress.check_interrupt()
        if self.inputs.positive is not None:
            negative = self.inputs.negative
            if negative is None:
                with self.measure.stage("encode"):
                    (negative,) = run_node("ConditioningZeroOut", conditioning=self.inputs.positive)
            return self.inputs.positive, negative
        with self.measure.stage("load"):
            clip = self.workflow.load_text_encoder()
        if encode is None:
            def encode(clip, text):
                return run_node("CLIPTextEncode", clip=clip, text=text)[0]
        with self.measure.stage("encode"):
            positive = encode(clip, self.request.prompt if positive_text is None else positive_text)
            negative = encode(clip, self.request.negative_prompt if negative_text is None else negative_text)
        return positive, negative

    def node(self, name: str, stage: str = "encode", **inputs) -> tuple:
        """Run one of ComfyUI's own nodes, timed under `stage`."""
        self.progress.check_interrupt()
        with self.measure.stage(stage):
            return run_node(name, **inputs)

    # -- sampling -------------------------------------------------------------------------------------------------
    def shifted(self, model):
        """The model with the template's flow shift (ComfyUI's ModelSamplingSD3 / ModelSamplingAuraFlow)."""
        s = self.settings
        if s.shift_node == "auraflow":
            return self.node("ModelSamplingAuraFlow", stage="sample", model=model, shift=s.shift)[0]
        return self.node("ModelSamplingSD3", stage="sample", model=model, shift=s.shift)[0]

    def sample(self, model, positive, negative, latent: dict, *, start_step: Optional[int] = None,
               last_step: Optional[int] = None, add_noise: bool = True, return_leftover_noise: bool = False,
               label: str = "model") -> dict:
        """KSampler / KSamplerAdvanced semantics (nodes.common_ksampler) on this job's single progress bar."""
        s = self.settings
        self.stages.append({"model": label, "start_step": start_step or 0,
                            "end_step": s.steps if last_step is None else min(last_step, s.steps)})
        self.progress.check_interrupt()
        with self.measure.stage("sample"):
            image = comfy.sample.fix_empty_latent_channels(model, latent["samples"])
            if add_noise:
                noise = comfy.sample.prepare_noise(image, s.seed, latent.get("batch_index"))
            else:
                noise = _empty_noise(image)
            callback = self.progress.sampler_callback(model, start_step or 0)
            measure = self.measure

            def on_step(step, x0, x, total_steps):
                callback(step, x0, x, total_steps)
                measure.sample_memory()

            samples = comfy.sample.sample(
                model, noise, s.steps, s.cfg, s.sampler, s.scheduler, positive, negative, image,
                denoise=s.denoise, disable_noise=not add_noise, start_step=start_step, last_step=last_step,
                force_full_denoise=not return_leftover_noise, noise_mask=latent.get("noise_mask"),
                callback=on_step, disable_pbar=not comfy.utils.PROGRESS_BAR_ENABLED, seed=s.seed)
        out = {k: v for k, v in latent.items() if k not in ("downscale_ratio_spacial", "downscale_ratio_temporal")}
        out["samples"] = samples
        return out

    # -- decode and save ------------------------------------------------------------------------------------------
    def decode(self, latent: dict, vae=None):
        """ComfyUI's VAEDecode with this workflow's VAE (or `vae`); a video decodes to one batch of frames."""
        self.progress.check_interrupt()
        with self.measure.stage("decode"):
            (images,) = run_node("VAEDecode", vae=self.vae() if vae is None else vae, samples=latent)
        return images

    def save(self, images, latent: dict, mask=None) -> JobResult:
        """Save `images` (RGB; with `mask` as their alpha, saved as RGBA) and complete the progress bar.
        Without a mask the MASK output is masks.output_mask's (the region mask for inpainting, else ones)."""
        self.progress.advance_to(self.progress.total)
        with self.measure.stage("save"):
            ui = save_result(images, self.inputs.filename_prefix, video=self.video, family=self.workflow.family,
                             node_class=self.inputs.node_class, alpha=mask)
        if mask is None:
            mask = output_mask(self.request.capability, self.inputs.mask, images)
        return JobResult(images=images, latent=latent, mask=mask, ui=ui)

    def finish(self, latent: dict) -> JobResult:
        return self.save(self.decode(latent), latent)

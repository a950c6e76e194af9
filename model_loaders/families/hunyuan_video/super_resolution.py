"""HunyuanVideo 1.5 super-resolution for the StoryCore router: the SR stage of the official 1.5 templates
(comfyui-recipes §1.10) through ComfyUI's own nodes, on one progress bar.

The low-resolution latent is the given `video` encoded with the 1.5 VAE (VAEEncode), or, without a video, the
workflow's own text-to-video at the size the template upscales from (an image without a video asks for an upscaled
image, which image workflows serve). Then: HunyuanVideo15LatentUpscaleWithModel (the latent
upsampler companion, bilinear, to the output size) -> HunyuanVideo15SuperResolution (noise augmentation 0.7) ->
BasicScheduler on the SR model, SplitSigmas -> pass 1: RandomNoise + CFGGuider on ModelSamplingSD3(SR model) with the
SR node's conditioning -> pass 2: DisableNoise + CFGGuider on the unpatched SR model with the original conditioning
(as the template wires it) -> VAEDecode. The passes run as SamplerCustomAdvanced runs them (guider.sample with the
custom sigmas), with this job's progress callback. Imported only when sampling."""
from __future__ import annotations

from dataclasses import replace

from ...sampling.settings import round_to_multiple
from .defaults import SR_NOISE_AUGMENTATION, SR_UPSCALE_METHOD

FIRST_STAGE_CAPABILITY = "text_to_video"


def _guider(job, model, positive, negative):
    return job.node("CFGGuider", stage="sample", model=model, positive=positive, negative=negative,
                    cfg=job.settings.cfg)[0]


def sample_sigmas(job, guider, noise, sampler, sigmas, latent: dict, *, offset: int, label: str) -> dict:
    """One SamplerCustomAdvanced pass (guider.sample on `sigmas`, noise from a RandomNoise / DisableNoise object) on
    this job's progress bar from `offset`."""
    import comfy.model_management
    import comfy.sample
    import comfy.utils
    steps = int(sigmas.shape[-1]) - 1
    job.stages.append({"model": label, "start_step": offset, "end_step": offset + steps})
    job.progress.check_interrupt()
    with job.measure.stage("sample"):
        image = comfy.sample.fix_empty_latent_channels(guider.model_patcher, latent["samples"])
        source = dict(latent, samples=image)
        callback = job.progress.sampler_callback(guider.model_patcher, offset)

        def on_step(step, x0, x, total_steps):
            callback(step, x0, x, total_steps)
            job.measure.sample_memory()

        samples = guider.sample(noise.generate_noise(source), image, sampler, sigmas,
                                denoise_mask=latent.get("noise_mask"), callback=on_step,
                                disable_pbar=not comfy.utils.PROGRESS_BAR_ENABLED, seed=noise.seed)
    out = {k: v for k, v in latent.items() if k not in ("downscale_ratio_spacial", "downscale_ratio_temporal")}
    out["samples"] = samples.to(comfy.model_management.intermediate_device())
    return out


def first_stage_settings(job):
    """The 1.5 text-to-video template's settings at the size the SR template upscales from (output size x
    t2v template size / SR template size: 1920x1088 <- 1280x720), with the request's frames and seed."""
    s, workflow = job.settings, job.workflow
    config = job.inputs.config.family(workflow.family)
    t2v = config.defaults_for(FIRST_STAGE_CAPABILITY, workflow.variant)
    sr = config.defaults_for("super_resolution", workflow.variant)
    multiple = workflow.rules.resolution_multiple
    width = round_to_multiple(round(s.width * t2v.width / sr.width), multiple)
    height = round_to_multiple(round(s.height * t2v.height / sr.height), multiple)
    return replace(s, width=width, height=height, steps=t2v.steps, cfg=float(t2v.cfg), shift=float(t2v.shift),
                   sampler=t2v.sampler, scheduler=t2v.scheduler, denoise=1.0, expert_split_step=None)


def _generated_latent(job, first, positive, negative) -> dict:
    """Stage 1: the workflow's own text-to-video latent (the 1.5 model, its template's shift and schedule)."""
    sr_settings = job.settings
    job.settings = first
    try:
        (latent,) = job.node("EmptyHunyuanVideo15Latent", width=first.width, height=first.height,
                             length=first.frames, batch_size=1)
        return job.sample(job.shifted(job.models(("model",))["model"]), positive, negative, latent)
    finally:
        job.settings = sr_settings


def _check_parts(job):
    """Before anything loads: without a video the workflow must make one (its 1.5 model)."""
    from ...sampling.routing_types import InvalidRequestError
    if job.inputs.video is None and "model" not in job.workflow.validated.model_files:
        raise InvalidRequestError(
            f"{job.workflow.name}: super_resolution without a video makes the video first with the HunyuanVideo 1.5 "
            f"model, and this loader has only the SR model: wire the frames to the router's video input, or give "
            f"the 1.5 model (e.g. hunyuanvideo1.5_720p_t2v_fp16.safetensors) as model_name")


def super_resolution(job):
    """Upscale `video` (or the workflow's own text-to-video) to the settings' size with the SR stage."""
    _check_parts(job)
    s = job.settings
    split = s.expert_split_step if s.expert_split_step is not None else s.steps // 2
    first = None if job.inputs.video is not None else first_stage_settings(job)
    # One bar: stage 1's steps (if any), both SR passes, decoding.
    job.progress.total = (first.steps if first else 0) + s.steps + 1
    positive, negative = job.conditioning()
    if first is None:
        (low,) = job.node("VAEEncode", pixels=job.inputs.video[..., :3], vae=job.vae())
    else:
        job.notes.append(f"stage 1: text_to_video at {first.width}x{first.height}x{first.frames}, {first.steps} "
                         f"steps, cfg {first.cfg:g}, shift {first.shift:g} (the 1.5 template), then upscaled")
        low = _generated_latent(job, first, positive, negative)
    upsampler = job.companion("latent_upsampler")
    (latent,) = job.node("HunyuanVideo15LatentUpscaleWithModel", stage="upscale", model=upsampler, samples=low,
                         upscale_method=SR_UPSCALE_METHOD, width=s.width, height=s.height, crop="disabled")
    sr_model = job.models(("sr_model",))["sr_model"]
    sr_positive, sr_negative, sr_latent = job.node(
        "HunyuanVideo15SuperResolution", positive=positive, negative=negative, latent=latent,
        noise_augmentation=SR_NOISE_AUGMENTATION)
    (sigmas,) = job.node("BasicScheduler", stage="sample", model=sr_model, scheduler=s.scheduler, steps=s.steps,
                         denoise=1.0)
    high_sigmas, low_sigmas = job.node("SplitSigmas", stage="sample", sigmas=sigmas, step=split)
    (sampler,) = job.node("KSamplerSelect", stage="sample", sampler_name=s.sampler)
    offset = first.steps if first else 0
    (noise,) = job.node("RandomNoise", stage="sample", noise_seed=s.seed)
    guider = _guider(job, job.shifted(sr_model), sr_positive, sr_negative)
    passed = sample_sigmas(job, guider, noise, sampler, high_sigmas, sr_latent, offset=offset, label="sr_model")
    (no_noise,) = job.node("DisableNoise", stage="sample")
    guider = _guider(job, sr_model, positive, negative)
    refined = sample_sigmas(job, guider, no_noise, sampler, low_sigmas, passed, offset=offset + split,
                            label="sr_model")
    return job.finish(refined)

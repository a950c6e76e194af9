"""StoryCore Advanced Router: picks the best of the workflows wired to it for a capability and a strategy, loads
only that one, samples it with ComfyUI's own nodes, falls back on out-of-memory, saves the result and reports
what it did and why. A thin adapter: schema -> RouterInputs -> model_loaders.sampling.routing_run.

The input names are a public contract for programs that drive the node through API prompts: keep them stable.
"""
import json

import comfy.samplers
from comfy_api.latest import io

from ..model_loaders.sampling.report import summary_text
from ..model_loaders.sampling.router_inputs import RouterInputs, super_resolution_size
from ..model_loaders.sampling.routing_run import CONFIG_STRATEGY, RouterError, run_router, services
from ..model_loaders.sampling.runner import family_recipes
from ..model_loaders.sampling.settings import AUTO, Overrides
from ..model_loaders.sampling.routing_types import InvalidRequestError
from ..routing import Capability, Strategy
from .types import StoryCoreWorkflow

WORKFLOW_SLOTS = 8
MAX_SEED = 0xFFFFFFFFFFFFFFFF
AUTO_TIP = " 0 = the chosen workflow's template default (routing config)."


class StoryCoreAdvancedRouter(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        workflows = [StoryCoreWorkflow.Input(f"workflow_{n}", optional=True,
                                             tooltip="A StoryCore loader's workflow. The router chooses among exactly "
                                                     "the workflows wired here; only the chosen one loads.")
                     for n in range(1, WORKFLOW_SLOTS + 1)]
        return io.Schema(
            node_id="StoryCoreAdvancedRouter",
            display_name="StoryCore Advanced Router",
            category="StoryCore",
            description="Routes a request (capability + strategy) to the best of the workflows wired to it, loads "
                        "only that model, samples it with ComfyUI's own nodes, falls back to the next workflow when "
                        "one runs out of memory, saves the result to the output folder and reports what it did "
                        "and why (JSON).",
            is_output_node=True,
            inputs=[
                io.Combo.Input("capability", options=[c.value for c in Capability], default="text_to_video",
                               tooltip="What to make. The wired workflows that serve it are the candidates."),
                io.Combo.Input("strategy", options=[CONFIG_STRATEGY] + [s.value for s in Strategy],
                               default=CONFIG_STRATEGY,
                               tooltip="How to rank the candidates: best_quality, fastest and least_memory (from "
                                       "measured history once runs are recorded), balanced, round_robin; config = "
                                       "the routing config's default strategy."),
                io.String.Input("prompt", multiline=True, default="",
                                tooltip="What to generate. Encoded with the chosen workflow's text encoder unless "
                                        "positive conditioning is wired."),
                io.String.Input("negative_prompt", multiline=True, default="",
                                tooltip="What to avoid (unused when negative conditioning is wired)."),
                *workflows,
                io.Conditioning.Input("positive", optional=True,
                                      tooltip="Optional: used instead of encoding the prompt. Only workflows whose "
                                              "text width fits it are candidates."),
                io.Conditioning.Input("negative", optional=True,
                                      tooltip="Optional: used instead of encoding the negative prompt (zeroed "
                                              "positive when only positive is wired)."),
                io.Image.Input("image", optional=True, tooltip="Start image (image_to_video) or image to edit."),
                io.Image.Input("end_image", optional=True, tooltip="End image (first/last-frame workflows)."),
                io.Mask.Input("mask", optional=True, tooltip="Mask (inpainting)."),
                io.Image.Input("video", optional=True, tooltip="Input video as a batch of frames."),
                io.Image.Input("reference_image", optional=True, tooltip="Reference image(s)."),
                io.Int.Input("width", default=0, min=0, max=16384, step=16,
                             tooltip="Width in pixels, rounded to the chosen family's multiple (16; 32 for Wan 2.2 "
                                     "TI2V-5B)." + AUTO_TIP),
                io.Int.Input("height", default=0, min=0, max=16384, step=16,
                             tooltip="Height in pixels, rounded like width." + AUTO_TIP),
                io.Int.Input("frames", default=0, min=0, max=10000,
                             tooltip="Video length in frames, rounded to 4n+1 (ignored for images)." + AUTO_TIP
                                     + " super_resolution of a given video: 0 = its frame count."),
                io.Int.Input("steps", default=0, min=0, max=10000, tooltip="Sampling steps." + AUTO_TIP),
                io.Float.Input("cfg", default=0.0, min=0.0, max=100.0, step=0.1, round=0.01,
                               tooltip="Classifier-free guidance scale." + AUTO_TIP),
                io.Float.Input("shift", default=0.0, min=0.0, max=100.0, step=0.01,
                               tooltip="Flow shift (ModelSamplingSD3 / AuraFlow)." + AUTO_TIP),
                io.Combo.Input("sampler", options=[AUTO] + list(comfy.samplers.KSampler.SAMPLERS), default=AUTO,
                               tooltip="ComfyUI sampler; auto = the template's."),
                io.Combo.Input("scheduler", options=[AUTO] + list(comfy.samplers.KSampler.SCHEDULERS), default=AUTO,
                               tooltip="ComfyUI scheduler; auto = the template's."),
                io.Int.Input("seed", default=0, min=0, max=MAX_SEED, control_after_generate=True,
                             tooltip="Noise seed."),
                io.Float.Input("denoise", default=1.0, min=0.0, max=1.0, step=0.01,
                               tooltip="Denoising strength. Where the template refines an image at partial "
                                       "strength (super_resolution of an image: 0.33), 1.0 = the template's and a "
                                       "lower value replaces it."),
                io.Int.Input("layers", default=2, min=1, max=16, optional=True,
                             tooltip="layered_generation: how many layers to split the image into (the "
                                     "template's 2)."),
                io.Float.Input("upscale_factor", default=2.0, min=1.0, max=8.0, step=0.05, optional=True,
                               tooltip="super_resolution: the output is the input image or video frames x this "
                                       "factor (rounded to the workflow's multiple), unless width / height are "
                                       "set. Without an input (HunyuanVideo 1.5 makes the video first) the size is "
                                       "width x height (0 = the template's 1920x1088)."),
                io.Float.Input("memory_budget_gb", default=0.0, min=0.0, max=4096.0, step=0.5,
                               tooltip="Exclude workflows predicted to need more device memory (GiB). 0 = none."),
                io.Float.Input("time_limit_s", default=0.0, min=0.0, max=1e6, step=1.0,
                               tooltip="Exclude workflows predicted to take longer (seconds). 0 = none."),
                io.String.Input("filename_prefix", default="StoryCore",
                                tooltip="Prefix of the files written to ComfyUI's output folder."),
            ],
            outputs=[
                io.Image.Output("images", tooltip="The frames or images."),
                io.Mask.Output("mask", tooltip="frames x H x W like images: video_inpainting's mask as used (fitted "
                                               "to the output, 1 = regenerated), the layers' alpha for "
                                               "layered_generation, all ones otherwise."),
                io.Latent.Output("latent", tooltip="The sampled latent."),
                io.String.Output("workflow", tooltip="Name of the workflow that produced the result."),
                io.String.Output("report", tooltip="JSON: request, candidates, attempts, settings, timings."),
            ],
            hidden=[io.Hidden.prompt, io.Hidden.extra_pnginfo, io.Hidden.unique_id],
        )

    @classmethod
    def execute(cls, capability, strategy, prompt, negative_prompt, width, height, frames, steps, cfg, shift,
                sampler, scheduler, seed, denoise, memory_budget_gb, time_limit_s, filename_prefix,
                positive=None, negative=None, image=None, end_image=None, mask=None, video=None,
                reference_image=None, layers=2, upscale_factor=2.0, **workflows) -> io.NodeOutput:
        wired = [(f"workflow_{n}", workflows[f"workflow_{n}"]) for n in range(1, WORKFLOW_SLOTS + 1)
                 if workflows.get(f"workflow_{n}") is not None]
        for slot, wf in wired:
            if not (hasattr(wf, "validated") and hasattr(wf, "execute")):
                raise RouterError(f"{slot} is not a STORYCORE_WORKFLOW (got {type(wf).__name__}): connect a "
                                  f"StoryCore loader's output")
        width, height, frames = super_resolution_size(capability, image, video, upscale_factor, width, height, frames)
        inputs = RouterInputs(
            overrides=Overrides(width=width, height=height, frames=frames, steps=steps, cfg=cfg, shift=shift,
                                sampler=sampler, scheduler=scheduler, seed=seed, denoise=denoise),
            config=services().configs.get(), positive=positive, negative=negative, image=image,
            end_image=end_image, mask=mask, video=video, reference_image=reference_image, layers=layers,
            upscale_factor=upscale_factor,
            filename_prefix=filename_prefix, node_class=cls, node_id=getattr(cls.hidden, "unique_id", None))
        try:
            outputs, report = run_router(
                prompt=prompt, negative_prompt=negative_prompt, capability=capability, strategy=strategy,
                inputs=inputs, workflows=wired, memory_budget_gb=memory_budget_gb, time_limit_s=time_limit_s,
                context_width_of=lambda wf: family_recipes(wf.family).context_width(wf))
        except InvalidRequestError as exc:
            raise RouterError(f"StoryCore Advanced Router: {exc}") from None
        text = json.dumps(report, indent=2, default=str)
        ui = dict(outputs["ui"], text=[text], summary=[summary_text(report)])
        return io.NodeOutput(outputs["images"], outputs["mask"], outputs["latent"], report["workflow"], text, ui=ui)

"""Qwen-Image sampling recipes for the StoryCore router: the official text-to-image template (EmptySD3LatentImage,
ModelSamplingAuraFlow, KSampler) through ComfyUI's own nodes, numbers from the routing config. Imported only when
sampling."""
from __future__ import annotations

SHIFT_NODE = "auraflow"


def context_width(workflow) -> int:
    """Qwen2.5-VL-7B width (3584), from the model's header."""
    return int(workflow.validated.models["model"].architecture["context_dim"])


def text_to_image(job):
    s = job.settings
    positive, negative = job.conditioning()
    (latent,) = job.node("EmptySD3LatentImage", width=s.width, height=s.height, batch_size=1)
    model = job.shifted(job.models()["model"])
    return job.finish(job.sample(model, positive, negative, latent))


RECIPES = {"text_to_image": text_to_image}

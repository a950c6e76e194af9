"""NewBie-image sampling recipes for the StoryCore router: the official Exp0.1 template (system prefix and structured
XML/JSON prompt, EmptySD3LatentImage, ModelSamplingAuraFlow, KSampler with res_multistep) through ComfyUI's own
nodes, numbers from the routing config. The prompt builder is plain Python; sampling imports comfy."""
from __future__ import annotations

import json

SHIFT_NODE = "auraflow"
SYSTEM_PREFIX = ("You are an assistant designed to generate high-quality anime images with the highest degree of "
                 "image-text alignment based on xml format textual prompts. <Prompt Start>")
NEGATIVE_PREFIX = "You are an assistant designed to generate low-quality images based on textual prompts. <Prompt Start>"


def context_width(workflow) -> int:
    """Gemma-3-4B width (2560), from the model's header."""
    return int(workflow.validated.models["model"].architecture["context_dim"])


def structured_prompt(text: str) -> str:
    """The template's positive text for a prompt: the system prefix, then its JSON frame with an XML tag block and a
    caption. A prompt that already is structured (starts with '<' or '{') is kept as the user wrote it."""
    text = text.strip()
    if text.startswith(("<", "{")):
        body = text
    else:
        tags = ("<character_1>\n<n>character_1</n>\n</character_1>\n"
                "<general_tags>\n<style>anime</style>\n<quality>high quality, masterpiece</quality>\n"
                "</general_tags>")
        body = json.dumps({"character_1": {"bbox": [0, 0, 1000, 1000], "name": "character_1"},
                           "image": {"tags": f"\n{tags}\n", "caption": text}}, ensure_ascii=False)
    return f"{SYSTEM_PREFIX}\n{body}"


def negative_text(text: str) -> str:
    return f"{NEGATIVE_PREFIX} {text.strip()}".rstrip()


def text_to_image(job):
    s = job.settings
    positive, negative = job.conditioning(structured_prompt(job.request.prompt),
                                          negative_text(job.request.negative_prompt))
    (latent,) = job.node("EmptySD3LatentImage", width=s.width, height=s.height, batch_size=1)
    model = job.shifted(job.models()["model"])
    return job.finish(job.sample(model, positive, negative, latent))


RECIPES = {"text_to_image": text_to_image, "anime_generation": text_to_image}

"""The message for a file that is not the component its slot asks for: what it is instead, or why ComfyUI would not
recognise it."""
from __future__ import annotations

from .kinds import (UnknownComponentError, describe_kind, example_file, key_shapes, prefixed_marker, read_header,
                    strip_prefix, summarise_groups)


def detect_component(path_or_header, what: str, markers, detect, prefix_note: str):
    """(header, key shapes, what `detect` found) of a file that must be a `what`; raise_unknown's error otherwise."""
    header = read_header(path_or_header)
    shapes = key_shapes(header)
    found = detect(shapes)
    if found is None:
        raise_unknown(header, shapes, what, markers, detect, prefix_note)
    return header, shapes, found


def raise_unknown(header, shapes, what: str, markers, detect, prefix_note: str):
    name = header.path.name
    other = identify_other_role(shapes, what)
    if other:
        raise UnknownComponentError(f"{name} is {other}, not a {what}: choose a {what} file here")
    hit = prefixed_marker(shapes, markers)
    if hit:
        prefix = hit[0]
        inner = detect(strip_prefix(shapes, prefix))
        if inner:
            raise UnknownComponentError(
                f"{name} holds {describe_kind(inner[0])}, but with every key under the prefix {prefix!r} (it was "
                f"saved out of a bigger checkpoint); {prefix_note}, so it would not recognise the file. Use the "
                f"standalone file (e.g. {example_file(inner[0])})")
    raise UnknownComponentError(
        f"{name}: not a {what} ComfyUI recognises. Found {summarise_groups(shapes)}. Choose a {what} file "
        f"(e.g. from ComfyUI's models/{_FOLDERS[what]} folder)")


_FOLDERS = {"text encoder": "text_encoders", "VAE": "vae", "CLIP vision encoder": "clip_vision",
            "latent upscale model": "latent_upscale_models", "spandrel upscale model": "upscale_models"}


def identify_other_role(shapes, expected_role: str) -> str | None:
    """Name what a file is when it is given in the wrong slot (a VAE as text encoder, a diffusion model, ...)."""
    from ..families import FAMILY_MODULES
    from .clip_vision import clip_vision_kind
    from .loras import lora_modules
    from .text_encoders import text_encoder_kind
    from .vaes import vae_kind
    from .latent_upsamplers import latent_upsampler_kind
    from .upscale_models import upscale_model_kind
    checks = (("text encoder", text_encoder_kind), ("VAE", vae_kind), ("CLIP vision encoder", clip_vision_kind),
              ("latent upscale model", latent_upsampler_kind), ("spandrel upscale model", upscale_model_kind))
    for role, detect in checks:
        if role == expected_role:
            continue
        found = detect(shapes)
        if found:
            return describe_kind(found[0])
    for module in FAMILY_MODULES:
        marker = module.MARKER_KEY
        if any(k == marker or k.endswith("." + marker) for k in shapes):
            return f"a {module.DISPLAY_NAME} diffusion model"
    if lora_modules(shapes)[0]:
        return "a LoRA"
    return None

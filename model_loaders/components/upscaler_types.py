"""The two upscaler component types an optional companion input can take (model_loaders.companion_files): a latent
upscale model (models/latent_upscale_models) and an image upscale model (models/upscale_models). Identified from
the header (latent_upsamplers, upscale_models); loaded by ComfyUI's own loader nodes (LatentUpscaleModelLoader,
UpscaleModelLoader), which take a file name inside their model folder, so each load passes the file's name there.

Imported by the family declarations that name these types (never by components/__init__: companion_files imports
that package)."""
from __future__ import annotations

import os
from pathlib import Path

from ..companion_files import register_component_type
from ..errors import CheckpointError
from .latent_upsamplers import identify_latent_upsampler
from .upscale_models import identify_upscale_model

LATENT_UPSCALE_MODEL = "latent_upscale_model"
UPSCALE_MODEL = "upscale_model"


def name_in_folder(path, folder: str) -> str:
    """`path` as the file name ComfyUI's loader nodes take for `folder` (relative to one of its model folders)."""
    import folder_paths
    for candidate in dict.fromkeys((os.path.abspath(path), os.path.realpath(path))):
        for root in folder_paths.get_folder_paths(folder):
            for base in dict.fromkeys((os.path.abspath(root), os.path.realpath(root))):
                if candidate.startswith(base.rstrip(os.sep) + os.sep):
                    return os.path.relpath(candidate, base)
    raise CheckpointError(f"{Path(path).name} is not in ComfyUI's models/{folder} folder, where ComfyUI's loader "
                          f"reads it: move it there (or add the folder to extra_model_paths.yaml)")


def load_latent_upscale_model(path):
    """ComfyUI's LatentUpscaleModelLoader on the file (a HunyuanVideo15SRModel for the 720p / 1080p upsamplers)."""
    from ..sampling.comfy_nodes import run_node
    return run_node("LatentUpscaleModelLoader", model_name=name_in_folder(path, "latent_upscale_models"))[0]


def load_upscale_model(path):
    """ComfyUI's UpscaleModelLoader on the file (spandrel's ImageModelDescriptor)."""
    from ..sampling.comfy_nodes import run_node
    return run_node("UpscaleModelLoader", model_name=name_in_folder(path, "upscale_models"))[0]


register_component_type(LATENT_UPSCALE_MODEL, what="latent upscale model", identify=identify_latent_upsampler,
                        load=load_latent_upscale_model)
register_component_type(UPSCALE_MODEL, what="upscale model", identify=identify_upscale_model,
                        load=load_upscale_model)

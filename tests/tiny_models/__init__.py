"""Tiny random-weight checkpoints of real model architectures (Wan, HunyuanVideo, Qwen-Image, NewBie) that real
ComfyUI detects, loads and samples on CPU; plus sparse header-only files of real-size layouts for benchmarks.

Imports only torch and safetensors-compatible plain Python (never comfy): the shape tables are hand-written, and
tests/comfyui/test_tiny_models_in_comfyui.py proves them equal to ComfyUI's own modules.

    from tiny_models import VARIANTS, PRECISIONS, write_checkpoint
    path = write_checkpoint("wan21_t2v", "fp8_e4m3fn", tmp_dir)
"""
from __future__ import annotations

from pathlib import Path

import pack_import

# The shape tables live in model_loaders (production code), imported as the tests import the pack.
pack_import.install()

from . import hunyuan_video, newbie, qwen_image, wan
from .hunyuan_video import hunyuan_video_tensor_shapes
from .newbie import newbie_tensor_shapes
from .precision import PLAIN_FP8, PRECISIONS, QUANTISED_PRECISIONS
from .qwen_image import qwen_image_tensor_shapes
from .spec import Conditioning, VariantSpec
from .vae import wan21_vae_tensor_shapes
from .wan import wan_tensor_shapes
from .writer import checkpoint_path, write_entries, write_sparse_checkpoint, write_variant, seeded_weights

FAMILIES = ("wan", "hunyuan_video", "qwen_image", "newbie")
VARIANTS: dict[str, VariantSpec] = {
    spec.id: spec for module in (wan, hunyuan_video, qwen_image, newbie) for spec in module.VARIANTS
}
WAN21_VAE_FILE = "wan_2.1_vae_tiny.safetensors"


def write_checkpoint(variant_id: str, precision: str, directory) -> Path:
    """Write (or reuse) `directory / f"{file_stem}_{precision}.safetensors"` for one variant; returns its path.

    Deterministic: the same variant and precision always give the same bytes. A cached file is returned as is.
    """
    if variant_id not in VARIANTS:
        raise KeyError(f"unknown variant {variant_id!r}; known: {sorted(VARIANTS)}")
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; expected one of {PRECISIONS}")
    return write_variant(VARIANTS[variant_id], precision, directory, VARIANTS)


def write_wan21_vae(directory, dim: int = 8, image_channels: int = 3) -> Path:
    """A tiny Wan 2.1 VAE (fp32) that comfy.sd.VAE(sd=...) detects as WanVAE: 16 latent channels, 8x / 4x.
    image_channels=4: the Qwen-Image-Layered VAE's layout (RGBA)."""
    name = WAN21_VAE_FILE if dim == 8 else f"wan_2.1_vae_dim{dim}_tiny.safetensors"
    if image_channels != 3:
        name = name.replace(".safetensors", f"_{image_channels}ch.safetensors")
    path = Path(directory) / name
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    shapes = wan21_vae_tensor_shapes(dim, image_channels)
    tag = "" if image_channels == 3 else f"_{image_channels}ch"
    base = seeded_weights(f"wan21_vae_dim{dim}{tag}", shapes)
    import torch
    from .precision import Entry
    entries = [Entry(k, torch.float32, s, (lambda key=k: base(key).float())) for k, s in shapes.items()]
    return write_entries(path, entries, {"format": "pt"})


__all__ = [
    "VARIANTS", "VariantSpec", "Conditioning", "PRECISIONS", "QUANTISED_PRECISIONS", "PLAIN_FP8", "FAMILIES",
    "write_checkpoint", "write_wan21_vae", "write_sparse_checkpoint", "checkpoint_path",
    "wan_tensor_shapes", "hunyuan_video_tensor_shapes", "qwen_image_tensor_shapes", "newbie_tensor_shapes",
    "wan21_vae_tensor_shapes",
]

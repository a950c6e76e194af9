"""Tiny Wan-Alpha fixtures: the RGB-channel and alpha-channel VAEs (the tiny Wan 2.1 VAE layout, each with its own
random weights, so the two decodes differ) and the Wan-Alpha RGBA LoRA (ComfyUI's diffusion_model.<module>.lora_A /
lora_B keys on every attention and FFN linear of the tiny Wan 2.1 T2V model, rank 4), all loadable fp32 files.

    alpha_vae = write_alpha_vae(tiny_models_dir); lora = write_alpha_lora(tiny_models_dir)
"""
from __future__ import annotations

from pathlib import Path

import torch

from .precision import Entry
from .vae import wan21_vae_tensor_shapes
from .wan import TINY_DIM, TINY_FFN, TINY_LAYERS, wan_tensor_shapes
from .writer import seeded_weights, write_entries

ALPHA_VAE_FILE = "wan_alpha_2.1_vae_alpha_channel_tiny.safetensors"
RGB_VAE_FILE = "wan_alpha_2.1_vae_rgb_channel_tiny.safetensors"
ALPHA_LORA_FILE = "wan_alpha_2.1_rgba_lora_tiny.safetensors"
LORA_RANK = 4
# LoRA weights 5x the models' N(0, 0.02): a visible change of the tiny model's output.
LORA_SCALE = 5.0


def _write(path: Path, shapes, seed: str, scale: float = 1.0) -> Path:
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    base = seeded_weights(seed, shapes)
    entries = [Entry(k, torch.float32, s, (lambda key=k: base(key).float() * scale)) for k, s in shapes.items()]
    return write_entries(path, entries, {"format": "pt"})


def write_alpha_vae(directory) -> Path:
    """The alpha-channel VAE: a Wan 2.1 VAE (dim 8) with weights of its own."""
    return _write(Path(directory) / ALPHA_VAE_FILE, wan21_vae_tensor_shapes(8), "wan_alpha_vae_alpha")


def write_rgb_vae(directory) -> Path:
    """The RGB-channel VAE: a Wan 2.1 VAE (dim 8) with weights of its own."""
    return _write(Path(directory) / RGB_VAE_FILE, wan21_vae_tensor_shapes(8), "wan_alpha_vae_rgb")


def alpha_lora_shapes() -> dict[str, tuple[int, ...]]:
    """diffusion_model.<module>.lora_A / lora_B of every 2-D attention / FFN weight of the tiny Wan 2.1 T2V model."""
    model = wan_tensor_shapes(TINY_DIM, TINY_FFN, TINY_LAYERS, 16, 16)
    shapes = {}
    for key, shape in model.items():
        if key.startswith("blocks.") and key.endswith(".weight") and len(shape) == 2:
            module = "diffusion_model." + key[: -len(".weight")]
            shapes[f"{module}.lora_A.weight"] = (LORA_RANK, shape[1])
            shapes[f"{module}.lora_B.weight"] = (shape[0], LORA_RANK)
    return shapes


def write_alpha_lora(directory, file_name: str = ALPHA_LORA_FILE) -> Path:
    return _write(Path(directory) / file_name, alpha_lora_shapes(), "wan_alpha_rgba_lora", LORA_SCALE)

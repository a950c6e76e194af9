"""Tiny upscaler fixtures of the real key layouts: the HunyuanVideo 1.5 1080p latent upsampler (what ComfyUI's
LatentUpscaleModelLoader builds from `up.0.block.0.conv1.conv.weight`; 32 latent channels, narrow stages) and a
Real-ESRGAN-layout x4 upscale model (spandrel's ESRGAN; 8 filters, one block). Seeded fp32 weights (norm scales 1,
biases 0), the layouts from the production tables in model_loaders.components."""
from __future__ import annotations

from pathlib import Path

from model_loaders.components.latent_upsamplers import hunyuan_upsampler_1080p_shapes
from model_loaders.components.upscale_models import esrgan_shapes

from .writer import seeded_weights, write_entries

LATENT_UPSAMPLER_FILE = "hunyuanvideo15_latent_upsampler_1080p_tiny.safetensors"
ESRGAN_FILE = "RealESRGAN_x4plus_tiny.safetensors"
UPSAMPLER_STAGES = (32, 64)   # block_out_channels: the first is a multiple of the 32 latent channels
ESRGAN_FILTERS, ESRGAN_BLOCKS = 8, 1


def _write(path: Path, seed_name: str, shapes) -> Path:
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    import torch
    from .precision import Entry
    base = seeded_weights(seed_name, shapes)
    entries = [Entry(k, torch.float32, s, (lambda key=k: base(key).float())) for k, s in shapes.items()]
    return write_entries(path, entries, {"format": "pt"})


def write_latent_upsampler(directory) -> Path:
    """A tiny HunyuanVideo 1.5 1080p latent upsampler (z 32, stages 32 -> 64)."""
    return _write(Path(directory) / LATENT_UPSAMPLER_FILE, "hv15_latent_upsampler_1080p",
                  hunyuan_upsampler_1080p_shapes(32, UPSAMPLER_STAGES))


def write_esrgan(directory) -> Path:
    """A tiny Real-ESRGAN-layout x4 upscale model (two upconvs)."""
    return _write(Path(directory) / ESRGAN_FILE, "esrgan_x4", esrgan_shapes(ESRGAN_FILTERS, ESRGAN_BLOCKS))

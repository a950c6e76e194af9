"""One sampling step of a tiny model with random conditioning of its family's real shapes
(tiny_models.spec.Conditioning describes them without torch)."""
import types

import torch


def _random(shape, gen, key=""):
    if "mask" in key:
        return torch.rand(shape, generator=gen)
    return torch.randn(shape, generator=gen)


def _materialise(key, value, gen):
    """Turn Conditioning.extra's plain description into conditioning values (see tiny_models.spec)."""
    if isinstance(value, tuple) and all(isinstance(d, int) for d in value):
        return _random(value, gen, key)
    if isinstance(value, list) and value and isinstance(value[0], tuple):
        return [_random(s, gen, key) for s in value]
    if isinstance(value, dict):
        return types.SimpleNamespace(**{k: _random(s, gen) for k, s in value.items()})
    return value


def conditioning_for(spec, seed=0):
    """(positive, negative) ComfyUI conditioning lists for the variant."""
    gen = torch.Generator().manual_seed(seed)
    c = spec.conditioning
    positive, negative = [], []
    for out in (positive, negative):
        extra = {"pooled_output": None if c.pooled is None else torch.randn(c.pooled, generator=gen)}
        extra.update({k: _materialise(k, v, gen) for k, v in c.extra.items()})
        out.append([torch.randn(c.context, generator=gen), extra])
    return positive, negative


def sample_one_step(comfy, model, latent, positive, negative, cfg):
    noise = comfy.sample.prepare_noise(latent, 0)
    return comfy.sample.sample(model, noise, 1, cfg, "euler", "simple", positive, negative, latent,
                               denoise=1.0, disable_pbar=True, seed=0)


def sample_variant(comfy, model, spec, inference_mode=False):
    """One step on the variant's own small latent, conditioning and cfg; asserts a finite, non-zero result."""
    latent = torch.zeros(spec.conditioning.latent)
    positive, negative = conditioning_for(spec)
    # ComfyUI's executor runs nodes in inference mode; 0.8's fp8 LoRA rounding needs it. Elsewhere it is left off:
    # weights moved inside it become inference tensors that later in-place updates (unloading) refuse.
    with torch.inference_mode(inference_mode):
        out = sample_one_step(comfy, model, latent, positive, negative, spec.conditioning.cfg)
    assert out.shape == latent.shape
    assert torch.isfinite(out).all()
    assert out.abs().sum() > 0
    return out

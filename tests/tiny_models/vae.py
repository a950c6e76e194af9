"""A tiny Wan 2.1 VAE (comfy/ldm/wan/vae.py: WanVAE). ComfyUI reads `dim` from `decoder.head.0.gamma`, the image
channels from `encoder.conv1.weight` and the output channels from `decoder.head.2.weight`; everything else is the
fixed Wan 2.1 config (z_dim 16, dim_mult [1, 2, 4, 4], 2 res blocks, temporal downsample [False, True, True])."""
from __future__ import annotations

from .spec import Shapes

DIM_MULT = (1, 2, 4, 4)
NUM_RES_BLOCKS = 2
TEMPORAL_DOWNSAMPLE = (False, True, True)
Z_DIM = 16


def _residual(p: str, cin: int, cout: int) -> Shapes:
    s: Shapes = {
        f"{p}residual.0.gamma": (cin, 1, 1, 1),
        f"{p}residual.2.weight": (cout, cin, 3, 3, 3), f"{p}residual.2.bias": (cout,),
        f"{p}residual.3.gamma": (cout, 1, 1, 1),
        f"{p}residual.6.weight": (cout, cout, 3, 3, 3), f"{p}residual.6.bias": (cout,),
    }
    if cin != cout:
        s[f"{p}shortcut.weight"] = (cout, cin, 1, 1, 1)
        s[f"{p}shortcut.bias"] = (cout,)
    return s


def _middle(p: str, c: int) -> Shapes:
    s = _residual(f"{p}middle.0.", c, c)
    s.update({f"{p}middle.1.norm.gamma": (c, 1, 1),
              f"{p}middle.1.to_qkv.weight": (3 * c, c, 1, 1), f"{p}middle.1.to_qkv.bias": (3 * c,),
              f"{p}middle.1.proj.weight": (c, c, 1, 1), f"{p}middle.1.proj.bias": (c,)})
    s.update(_residual(f"{p}middle.2.", c, c))
    return s


def wan21_vae_tensor_shapes(dim: int = 8, image_channels: int = 3) -> Shapes:
    """Every key of comfy's Wan 2.1 WanVAE with its shape. The real wan_2.1_vae has dim 96."""
    s: Shapes = {}
    # Encoder3d
    dims = [dim * u for u in (1, *DIM_MULT)]
    s["encoder.conv1.weight"] = (dims[0], image_channels, 3, 3, 3)
    s["encoder.conv1.bias"] = (dims[0],)
    idx = 0
    for i, (cin, cout) in enumerate(zip(dims[:-1], dims[1:])):
        for _ in range(NUM_RES_BLOCKS):
            s.update(_residual(f"encoder.downsamples.{idx}.", cin, cout))
            cin = cout
            idx += 1
        if i != len(DIM_MULT) - 1:
            p = f"encoder.downsamples.{idx}."
            s[f"{p}resample.1.weight"] = (cout, cout, 3, 3)
            s[f"{p}resample.1.bias"] = (cout,)
            if TEMPORAL_DOWNSAMPLE[i]:
                s[f"{p}time_conv.weight"] = (cout, cout, 3, 1, 1)
                s[f"{p}time_conv.bias"] = (cout,)
            idx += 1
    top = dims[-1]
    s.update(_middle("encoder.", top))
    s.update({"encoder.head.0.gamma": (top, 1, 1, 1),
              "encoder.head.2.weight": (Z_DIM * 2, top, 3, 3, 3), "encoder.head.2.bias": (Z_DIM * 2,)})
    s.update({"conv1.weight": (Z_DIM * 2, Z_DIM * 2, 1, 1, 1), "conv1.bias": (Z_DIM * 2,),
              "conv2.weight": (Z_DIM, Z_DIM, 1, 1, 1), "conv2.bias": (Z_DIM,)})
    # Decoder3d
    dims = [dim * u for u in (DIM_MULT[-1], *DIM_MULT[::-1])]
    temporal_upsample = TEMPORAL_DOWNSAMPLE[::-1]
    s["decoder.conv1.weight"] = (dims[0], Z_DIM, 3, 3, 3)
    s["decoder.conv1.bias"] = (dims[0],)
    s.update(_middle("decoder.", dims[0]))
    idx = 0
    for i, (cin, cout) in enumerate(zip(dims[:-1], dims[1:])):
        if i in (1, 2, 3):
            cin = cin // 2
        for _ in range(NUM_RES_BLOCKS + 1):
            s.update(_residual(f"decoder.upsamples.{idx}.", cin, cout))
            cin = cout
            idx += 1
        if i != len(DIM_MULT) - 1:
            p = f"decoder.upsamples.{idx}."
            s[f"{p}resample.1.weight"] = (cout // 2, cout, 3, 3)
            s[f"{p}resample.1.bias"] = (cout // 2,)
            if temporal_upsample[i]:
                s[f"{p}time_conv.weight"] = (cout * 2, cout, 3, 1, 1)
                s[f"{p}time_conv.bias"] = (cout * 2,)
            idx += 1
    s.update({"decoder.head.0.gamma": (dims[-1], 1, 1, 1),
              "decoder.head.2.weight": (image_channels, dims[-1], 3, 3, 3),
              "decoder.head.2.bias": (image_channels,)})
    return s

"""Image upscale models (models/upscale_models) of the ESRGAN type, as spandrel recognises them for ComfyUI's
UpscaleModelLoader (spandrel 0.4 architectures/ESRGAN: `ESRGANArch` detect + load): the old ESRGAN layout
(`model.0`, `model.1.sub.N.RDBk.convn.0`), the new Real-ESRGAN layout (`conv_first`, `body.N.rdbk.convn`,
`conv_body`, `conv_upN`, `conv_hr`, `conv_last`) and BSRGAN / RealSR (`RRDB_trunk`, `trunk_conv`). The growth
width is fixed at 32 and every conv is 3x3; a pixel-unshuffle input (Real-ESRGAN x2plus: 4x or 16x the output
channels) divides the scale. Other spandrel architectures are not recognised here.
"""
from __future__ import annotations

import math
import re

from .kinds import ComponentDescription, component_description, require_exact_layout
from .unknown import detect_component

Shapes = dict[str, tuple[int, ...]]
GROWTH = 32  # spandrel's RRDBNet: gc=32
_MARKERS = ("model.1.sub.0.RDB1.conv1.0.weight", "body.0.rdb1.conv1.weight", "RRDB_trunk.0.RDB1.conv1.weight")
_DETECT = ((("model.0.weight", "model.1.sub.0.RDB1.conv1.0.weight"), "old"),
           (("conv_first.weight", "body.0.rdb1.conv1.weight", "conv_body.weight", "conv_last.weight"), "new"),
           (("conv_first.weight", "RRDB_trunk.0.RDB1.conv1.weight", "trunk_conv.weight", "conv_last.weight"),
            "bsrgan"),
           (("model.0.weight", "model.1.sub.0.RDB1.conv1x1.weight"), "plus"))


def _conv(p: str, out_c: int, in_c: int) -> Shapes:
    return {f"{p}.weight": (out_c, in_c, 3, 3), f"{p}.bias": (out_c,)}


def esrgan_shapes(num_filters: int, num_blocks: int, upconvs: int = 2, in_channels: int = 3,
                  out_channels: int = 3) -> Shapes:
    """Every key of a Real-ESRGAN-layout RRDBNet with its shape (RealESRGAN_x4plus: 64 filters, 23 blocks, 2
    upconvs; the scale is 2**upconvs, divided by the pixel-unshuffle factor of in_channels)."""
    nf = num_filters
    s: Shapes = _conv("conv_first", nf, in_channels)
    for i in range(num_blocks):
        for r in (1, 2, 3):
            for c in range(1, 6):
                s.update(_conv(f"body.{i}.rdb{r}.conv{c}", nf if c == 5 else GROWTH, nf + (c - 1) * GROWTH))
    s.update(_conv("conv_body", nf, nf))
    for n in range(1, upconvs + 1):
        s.update(_conv(f"conv_up{n}", nf, nf))
    s.update(_conv("conv_hr", nf, nf))
    s.update(_conv("conv_last", out_channels, nf))
    return s


def _count(s: Shapes, pattern: str) -> int:
    found = {m.group(1) for k in s for m in [re.match(pattern, k)] if m}
    return max((int(n) for n in found), default=-1) + 1


def upscale_model_kind(shapes: Shapes) -> tuple[str, dict, tuple[str, ...]] | None:
    """("esrgan", dims, notes) for an ESRGAN-type file (dims: layout, scale, num_filters, num_blocks, channels)."""
    s = shapes
    layout = next((name for keys, name in _DETECT if all(k in s for k in keys)), None)
    if layout is None:
        return None
    if layout in ("old", "plus"):
        length = _count(s, r"model\.(\d+)\.")
        in_c, out_c = s["model.0.weight"][1], s[f"model.{length - 1}.weight"][0]
        scale = 2 ** ((length - 5) // 3)
        filters, blocks = s["model.0.weight"][0], _count(s, r"model\.1\.sub\.(\d+)\.RDB") or 1
    else:
        in_c, out_c = s["conv_first.weight"][1], s["conv_last.weight"][0]
        scale = 2 ** len([k for k in s if re.fullmatch(r"(?:conv_up|upconv)\d+\.weight", k)])
        trunk = "body" if layout == "new" else "RRDB_trunk"
        filters, blocks = s["conv_first.weight"][0], _count(s, rf"{trunk}\.(\d+)\.")
    if in_c in (out_c * 4, out_c * 16):  # pixel-unshuffle input (Real-ESRGAN x2plus / x1)
        scale //= int(math.sqrt(in_c // out_c))
        in_c = out_c
    dims = {"layout": layout, "scale": scale, "num_filters": filters, "num_blocks": blocks,
            "input_channels": in_c, "output_channels": out_c}
    return "esrgan", dims, (("ESRGAN+ layout",) if layout == "plus" else ())


def identify_upscale_model(path_or_header) -> ComponentDescription:
    """What an upscale model file is, from its header; a Real-ESRGAN-layout file is checked key by key against the
    network spandrel builds from it. Raises UnknownComponentError."""
    header, shapes, (kind, dims, notes) = detect_component(
        path_or_header, "spandrel upscale model", _MARKERS, upscale_model_kind,
        "ComfyUI's UpscaleModelLoader strips only a 'module.' prefix of SwinIR files")
    if dims["layout"] == "new":
        upconvs = len([k for k in shapes if re.fullmatch(r"conv_up\d+\.weight", k)])
        expected = esrgan_shapes(dims["num_filters"], dims["num_blocks"], upconvs, shapes["conv_first.weight"][1],
                                 dims["output_channels"])
        require_exact_layout(header, shapes, expected, "a Real-ESRGAN layout", "spandrel")
    return component_description(header, "upscale_model", kind, dims, notes)

"""Latent upscale models (models/latent_upscale_models): comfy_extras/nodes_hunyuan.py `LatentUpscaleModelLoader`
(0.8 nodes_hunyuan.py:173-219 / 0.33 :179-228) picks the model by its keys and loads it strictly, so every key of the
module it builds must be in the file and no other:

- `blocks.0.block.0.conv.weight`: the HunyuanVideo 1.5 "720p" SR model (comfy/ldm/hunyuan_video/upsampler.py
  SRModel3DV2), sized from in_conv / out_conv and the block count;
- `up.0.block.0.conv1.conv.weight`: the "1080p" Upsampler, sized from conv_in / conv_out and each stage's width
  (the file spells the 1x1 shortcut `nin_shortcut.weight`; the loader renames it to the module's
  `nin_shortcut.conv.weight`);
- `post_upsample_res_blocks.0.conv2.bias`: LTX-Video's latent upsampler (configured from the file's metadata).
"""
from __future__ import annotations

from .kinds import ComponentDescription, component_description, require_exact_layout
from .unknown import detect_component

Shapes = dict[str, tuple[int, ...]]
_MARKERS = ("blocks.0.block.0.conv.weight", "up.0.block.0.conv1.conv.weight", "post_upsample_res_blocks.0.conv2.bias")
RES_BLOCKS_1080P = 2  # Upsampler(num_res_blocks=2): 3 ResnetBlocks per stage


def _conv3d(p: str, out_c: int, in_c: int, k: int = 3) -> Shapes:
    return {f"{p}.weight": (out_c, in_c, k, k, k), f"{p}.bias": (out_c,)}


def hunyuan_upsampler_1080p_shapes(z_channels: int, block_out_channels: tuple[int, ...],
                                   out_channels: int | None = None) -> Shapes:
    """Every key (file spelling) of the 1080p Upsampler with its shape, in module order."""
    out_channels = z_channels if out_channels is None else out_channels
    ch = block_out_channels[0]
    s: Shapes = _conv3d("conv_in.conv", ch, z_channels)
    for i, target in enumerate(block_out_channels):
        for j in range(RES_BLOCKS_1080P + 1):
            p = f"up.{i}.block.{j}."
            s[f"{p}norm1.gamma"] = (ch, 1, 1, 1)
            s.update(_conv3d(f"{p}conv1.conv", target, ch))
            s[f"{p}norm2.gamma"] = (target, 1, 1, 1)
            s.update(_conv3d(f"{p}conv2.conv", target, target))
            if ch != target:
                s.update(_conv3d(f"{p}nin_shortcut", target, ch, k=1))
            ch = target
    s["norm_out.gamma"] = (ch, 1, 1, 1)
    s.update(_conv3d("conv_out.conv", out_channels, ch))
    return s


def hunyuan_upsampler_720p_shapes(in_channels: int, out_channels: int, hidden_channels: int, num_blocks: int) -> Shapes:
    """Every key of the 720p SRModel3DV2 with its shape, in module order."""
    s: Shapes = _conv3d("in_conv.conv", hidden_channels, in_channels)
    for i in range(num_blocks):
        for j in (0, 2, 4):
            s.update(_conv3d(f"blocks.{i}.block.{j}.conv", hidden_channels, hidden_channels))
    s.update(_conv3d("out_conv.conv", out_channels, hidden_channels))
    return s


def _stage_widths(s: Shapes) -> tuple[int, ...]:
    widths = []
    while f"up.{len(widths)}.block.0.conv1.conv.weight" in s:
        widths.append(s[f"up.{len(widths)}.block.0.conv1.conv.weight"][0])
    return tuple(widths)


def latent_upsampler_kind(shapes: Shapes) -> tuple[str, dict, tuple[str, ...]] | None:
    """(kind, dims, notes) in LatentUpscaleModelLoader's branch order, or None."""
    s = shapes
    if "blocks.0.block.0.conv.weight" in s and "in_conv.conv.weight" in s and "out_conv.conv.weight" in s:
        blocks = len([k for k in s if k.startswith("blocks.") and k.endswith(".block.0.conv.weight")])
        return "hunyuan_video_15_latent_upsampler_720p", {
            "in_channels": s["in_conv.conv.weight"][1], "latent_channels": s["out_conv.conv.weight"][0],
            "hidden_channels": s["in_conv.conv.weight"][0], "num_blocks": blocks}, ()
    if "up.0.block.0.conv1.conv.weight" in s and "conv_in.conv.weight" in s and "conv_out.conv.weight" in s:
        return "hunyuan_video_15_latent_upsampler_1080p", {
            "latent_channels": s["conv_in.conv.weight"][1], "out_channels": s["conv_out.conv.weight"][0],
            "block_out_channels": _stage_widths(s)}, ()
    if "post_upsample_res_blocks.0.conv2.bias" in s:
        return "ltxv_latent_upsampler", {}, ()
    return None


def _expected(kind: str, dims: dict) -> Shapes | None:
    if kind == "hunyuan_video_15_latent_upsampler_720p":
        return hunyuan_upsampler_720p_shapes(dims["in_channels"], dims["latent_channels"], dims["hidden_channels"],
                                             dims["num_blocks"])
    if kind == "hunyuan_video_15_latent_upsampler_1080p":
        return hunyuan_upsampler_1080p_shapes(dims["latent_channels"], dims["block_out_channels"],
                                              dims["out_channels"])
    return None  # LTX-Video's: configured from the file's metadata, not checked here


def identify_latent_upsampler(path_or_header) -> ComponentDescription:
    """What a latent upscale model file is, from its header; its keys checked against the module ComfyUI builds for
    it (the load is strict). Raises UnknownComponentError."""
    header, shapes, (kind, dims, notes) = detect_component(
        path_or_header, "latent upscale model", _MARKERS, latent_upsampler_kind,
        "ComfyUI's LatentUpscaleModelLoader strips no prefix")
    expected = _expected(kind, dims)
    if expected is not None:  # ComfyUI loads it strictly
        require_exact_layout(header, shapes, expected, "a HunyuanVideo 1.5 latent upsampler layout", "ComfyUI")
    return component_description(header, "latent_upsampler", kind, dims, notes)

"""VAEs: comfy/sd.py `VAE.__init__` (0.8 sd.py:310-560 / 0.33 sd.py:487-840). VAELoader strips no prefix."""
from __future__ import annotations

from .kinds import ComponentDescription, component_description
from .unknown import detect_component

_VAE_MARKERS = ("decoder.middle.0.residual.0.gamma", "decoder.conv_in.conv.weight", "decoder.conv_in.weight")


def vae_kind(shapes: dict[str, tuple[int, ...]]) -> tuple[str, dict, tuple[str, ...]] | None:
    s = shapes
    seedvr2 = "decoder.up_blocks.2.upsamplers.0.upscale_conv.weight" in s  # 0.33 sd.py:488
    notes = ()
    if not seedvr2 and "decoder.up_blocks.0.resnets.0.norm1.weight" in s:
        notes = ("diffusers key layout (ComfyUI converts it)",)  # diffusers_convert keeps decoder.conv_in.*
    if "decoder.mid.block_1.mix_factor" in s:
        return "svd_temporal_vae", {}, notes
    if "taesd_decoder.1.weight" in s:
        return "taesd", {}, notes
    conv_in = s.get("decoder.conv_in.weight")
    if conv_in is not None:  # 0.8 sd.py:379-433 / 0.33 sd.py:632-690
        z = conv_in[1]
        if z == 64:
            return "hunyuan_image_vae", {"latent_channels": z}, notes
        if z == 32 and len(conv_in) == 5:
            return "hunyuan_image_refiner_vae", {"latent_channels": z}, notes
        kind = {16: "flux_vae", 4: "sd_vae"}.get(z, "kl_vae")
        return kind, {"latent_channels": z}, notes
    if "decoder.up_blocks.0.res_blocks.0.conv1.conv.weight" in s:
        return "ltxv_vae", {}, notes
    if "blocks.2.blocks.3.stack.5.weight" in s or "decoder.blocks.2.blocks.3.stack.5.weight" in s:
        return "mochi_vae", {}, notes
    conv3d = s.get("decoder.conv_in.conv.weight")
    if conv3d is not None:  # 0.8 sd.py:486-517 / 0.33 sd.py:759-815
        if conv3d[1] == 32:
            return "hunyuan_video_15_vae", {"latent_channels": 32}, notes
        if "decoder.mid_block.resnets.0.norm1.norm_layer.weight" in s:  # 0.33 sd.py:776
            return "cogvideox_vae", {}, notes
        return "hunyuan_video_vae", {"latent_channels": conv3d[1]}, notes
    if "decoder.unpatcher3d.wavelets" in s:
        return "cosmos_vae", {}, notes
    if "decoder.middle.0.residual.0.gamma" in s:  # 0.8 sd.py:532-556 / 0.33 sd.py:816-840
        if "decoder.upsamples.0.upsamples.0.residual.2.weight" in s:
            return "wan22_vae", {"latent_channels": 48}, notes  # dim 160 / z 48 fixed by ComfyUI
        dims = {"latent_channels": 16}
        if "decoder.head.0.gamma" in s:
            dims["dim"] = s["decoder.head.0.gamma"][0]
        if "encoder.conv1.weight" in s:
            dims["image_channels"] = s["encoder.conv1.weight"][1]
        return "wan21_vae", dims, notes
    return None


def identify_vae(path_or_header) -> ComponentDescription:
    header, _, (kind, dims, notes) = detect_component(
        path_or_header, "VAE", _VAE_MARKERS, vae_kind, "ComfyUI's VAE loader strips no prefix")
    return component_description(header, "vae", kind, dims, notes)

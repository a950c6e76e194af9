"""CLIP vision: comfy/clip_vision.py `load` + `load_clipvision_from_sd` (0.8 clip_vision.py:100-147 /
0.33 clip_vision.py:113-170); the OpenCLIP `visual.` form is converted."""
from __future__ import annotations

from ..layout import count_blocks
from .kinds import ComponentDescription, component_description
from .unknown import detect_component

_CV_MARKERS = ("vision_model.encoder.layers.0.layer_norm1.weight",)


def clip_vision_kind(shapes: dict[str, tuple[int, ...]]) -> tuple[str, dict, tuple[str, ...]] | None:
    s = shapes
    if "visual.transformer.resblocks.0.attn.in_proj_weight" in s:  # clip_vision.load: OpenCLIP form, converted
        layers = count_blocks(s, "visual.transformer.resblocks.")
        positions = s.get("visual.positional_embedding", (None,))[0]
        note = ("OpenCLIP key layout (ComfyUI converts it)",)
        if layers >= 48:
            return "clip_vision_g", {"layers": layers}, note
        if layers >= 31:
            return "clip_vision_h", {"layers": layers, "width": s["visual.transformer.resblocks.0.ln_1.weight"][0]}, note
        if layers >= 23:
            return ("clip_vision_vitl_336" if positions == 577 else "clip_vision_vitl"), {"layers": layers}, note
        return None
    if "vision_model.encoder.layers.47.layer_norm1.weight" in s:
        return "clip_vision_g", {"layers": count_blocks(s, "vision_model.encoder.layers.")}, ()
    if "vision_model.encoder.layers.30.layer_norm1.weight" in s:
        return "clip_vision_h", {"layers": count_blocks(s, "vision_model.encoder.layers."),
                                 "width": s["vision_model.encoder.layers.30.layer_norm1.weight"][0]}, ()
    if "vision_model.encoder.layers.22.layer_norm1.weight" in s:
        positions = s.get("vision_model.embeddings.position_embedding.weight", (None,))[0]
        width = s.get("vision_model.encoder.layers.0.layer_norm1.weight", (None,))[0]
        dims = {"width": width, "positions": positions}
        if width == 1152:
            if len(s.get("vision_model.embeddings.patch_embedding.weight", ())) == 2:  # 0.33 only
                return "siglip2_naflex", dims, ()
            # Any other position count leaves ComfyUI without a config (an UnboundLocalError): unknown.
            return {729: ("siglip_384", dims, ()), 1024: ("siglip_512", dims, ())}.get(positions)
        if positions == 577:
            if "multi_modal_projector.linear_1.bias" in s:
                return "llava_llama3_vision", dims, ()
            return "clip_vision_vitl_336", dims, ()
        return "clip_vision_vitl", dims, ()
    if "encoder.layer.39.layer_scale2.lambda1" in s or "encoder.layer.23.layer_scale2.lambda1" in s:
        return "dino2", {}, ()
    if "layer.23.attention.o_proj.bias" in s or ("layer.0.mlp.gate_proj.weight" in s and "layer.31.norm1.weight" in s):
        return "dino3", {}, ()  # 0.33 only
    return None


def identify_clip_vision(path_or_header) -> ComponentDescription:
    header, _, (kind, dims, notes) = detect_component(
        path_or_header, "CLIP vision encoder", _CV_MARKERS, clip_vision_kind,
        "ComfyUI's CLIP vision loader strips no prefix other than OpenCLIP's 'visual.'")
    return component_description(header, "clip_vision", kind, dims, notes)

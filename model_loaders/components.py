"""Identify a text-encoder, VAE, CLIP-vision or LoRA safetensors file from its header alone, the way ComfyUI would.

Plain Python (no torch, no comfy). Each detector mirrors ComfyUI's own branch order, in both supported versions
(0.8.0 = ~/ComfyUI-0.8, 0.33.0 = ~/ComfyUI; citations are "file:line" in 0.8 / 0.33):

- text encoders: comfy/sd.py `detect_te_model` (0.8 sd.py:1048-1096 / 0.33 sd.py:1610-1697) after the key fix-ups of
  `load_text_encoder_state_dicts` (0.8 sd.py:1126-1131 / 0.33 sd.py:1727-1734: OpenCLIP `transformer.resblocks`
  conversion, `lm_head.weight`). Neither version strips any other prefix from a text-encoder file.
- VAEs: comfy/sd.py `VAE.__init__` (0.8 sd.py:310-560 / 0.33 sd.py:487-840). VAELoader strips no prefix.
- CLIP vision: comfy/clip_vision.py `load` + `load_clipvision_from_sd` (0.8 clip_vision.py:100-147 /
  0.33 clip_vision.py:113-170); the OpenCLIP `visual.` form is converted.
- LoRAs: comfy/lora_convert.py `convert_lora`, the adapter key suffixes of comfy/weight_adapter/lora.py `load`
  (0.8 weight_adapter/lora.py:92-125) and the key maps of comfy/lora.py `model_lora_keys_unet`
  (0.8 lora.py:175-330 / 0.33 lora.py:187-350).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CheckpointError
from .precision import describe_precision, is_quant_aux
from .safetensors_header import SafetensorsHeader, read_safetensors_header


class UnknownComponentError(CheckpointError):
    """A text-encoder / VAE / CLIP-vision / LoRA file that matches nothing ComfyUI (or StoryCore) can use."""


# kind -> (display name, who uses it, a typical file name)
KINDS: dict[str, tuple[str, str, str]] = {
    # text encoders
    "umt5_xxl": ("UMT5-XXL text encoder", "Wan", "umt5_xxl_fp8_e4m3fn_scaled.safetensors"),
    "t5_xxl": ("T5-XXL text encoder", "FLUX / SD3 / LTXV", "t5xxl_fp16.safetensors"),
    "t5_xl": ("T5-XL text encoder", "AuraFlow", "t5xl.safetensors"),
    "t5_xxl_old": ("T5-XXL (old layout) text encoder", "Cosmos", "oldt5_xxl_fp8_e4m3fn_scaled.safetensors"),
    "t5_base": ("T5-base text encoder", "Stable Audio / ACE", "t5_base.safetensors"),
    "t5_gemma": ("T5-Gemma text encoder", "Stable Audio 3", "t5gemma.safetensors"),
    "byt5_small_glyph": ("ByT5-small Glyph text encoder", "HunyuanVideo 1.5", "byt5_small_glyphxl_fp16.safetensors"),
    "clip_l": ("CLIP-L text encoder", "HunyuanVideo 1.0 / FLUX / SD", "clip_l.safetensors"),
    "clip_g": ("CLIP-G text encoder", "SDXL / SD3", "clip_g.safetensors"),
    "clip_h": ("CLIP-H text encoder", "SD 2.x", "clip_h.safetensors"),
    "jina_clip_v2": ("Jina-CLIP-v2 text encoder", "NewBie-image", "jina_clip_v2_bf16.safetensors"),
    "gemma2_2b": ("Gemma-2-2B text encoder", "Lumina 2", "gemma_2_2b_fp16.safetensors"),
    "gemma3_4b": ("Gemma-3-4B text encoder", "NewBie-image", "gemma_3_4b_it_bf16.safetensors"),
    "gemma3_12b": ("Gemma-3-12B text encoder", "LTX-2", "gemma_3_12B_it.safetensors"),
    "gemma4": ("Gemma-4 text encoder", "other models", "gemma_4.safetensors"),
    "gpt_oss_20b": ("GPT-OSS-20B text encoder", "Lens", "gpt_oss_20b.safetensors"),
    "qwen25_3b": ("Qwen2.5-VL-3B text encoder", "OmniGen2", "qwen_2.5_vl_fp16.safetensors"),
    "qwen25_7b_vl": ("Qwen2.5-VL-7B text encoder", "Qwen-Image / HunyuanVideo 1.5",
                     "qwen_2.5_vl_7b_fp8_scaled.safetensors"),
    "qwen25_7b": ("Qwen2.5-7B text encoder without its vision tower", "Qwen-Image (text only)",
                  "qwen_2.5_7b.safetensors"),
    "qwen3": ("Qwen3 text encoder", "Z-Image / Ovis / FLUX.2 Klein", "qwen_3_4b.safetensors"),
    "qwen35": ("Qwen3.5 text encoder", "other models", "qwen_3.5.safetensors"),
    "qwen3_vl": ("Qwen3-VL text encoder", "other models", "qwen_3_vl.safetensors"),
    "mistral3_24b": ("Mistral-3-24B text encoder", "FLUX.2", "mistral_3_small_flux2_fp8.safetensors"),
    "ministral_3_3b": ("Ministral-3-3B text encoder", "other models", "ministral_3_3b.safetensors"),
    "llama3_8b_llava": ("LLaVA-LLaMA-3-8B text encoder", "HunyuanVideo 1.0", "llava_llama3_fp8_scaled.safetensors"),
    "llama3_8b": ("LLaMA-3.1-8B text encoder", "HiDream", "llama_3.1_8b_instruct_fp8_scaled.safetensors"),
    # VAEs
    "wan21_vae": ("Wan 2.1 VAE", "Wan 2.1 / Wan 2.2 A14B / Qwen-Image", "wan_2.1_vae.safetensors"),
    "wan22_vae": ("Wan 2.2 VAE", "Wan 2.2 TI2V-5B", "wan2.2_vae.safetensors"),
    "hunyuan_video_vae": ("HunyuanVideo VAE", "HunyuanVideo 1.0", "hunyuan_video_vae_bf16.safetensors"),
    "hunyuan_video_15_vae": ("HunyuanVideo 1.5 VAE", "HunyuanVideo 1.5", "hunyuanvideo15_vae_fp16.safetensors"),
    "flux_vae": ("FLUX VAE", "NewBie-image / FLUX / Lumina 2", "ae.safetensors"),
    "sd_vae": ("SD 1.x / SDXL VAE (4 latent channels)", "Stable Diffusion", "sdxl_vae.safetensors"),
    "kl_vae": ("KL VAE", "other models", "vae.safetensors"),
    "hunyuan_image_vae": ("HunyuanImage 2.1 VAE", "HunyuanImage 2.1", "hunyuan_image_2.1_vae_fp16.safetensors"),
    "hunyuan_image_refiner_vae": ("HunyuanImage 2.1 refiner VAE", "HunyuanImage 2.1",
                                  "hunyuan_image_refiner_vae_fp16.safetensors"),
    "cogvideox_vae": ("CogVideoX VAE", "CogVideoX", "cogvideox_vae.safetensors"),
    "ltxv_vae": ("LTX-Video VAE", "LTX-Video", "ltxv_vae.safetensors"),
    "mochi_vae": ("Mochi VAE", "Mochi", "mochi_vae.safetensors"),
    "cosmos_vae": ("Cosmos VAE", "Cosmos", "cosmos_cv8x8x8_1.0.safetensors"),
    "taesd": ("TAESD approximate VAE", "previews", "taesd_decoder.safetensors"),
    "svd_temporal_vae": ("temporal (SVD) VAE", "Stable Video Diffusion", "svd_vae.safetensors"),
    # CLIP vision
    "clip_vision_h": ("CLIP-ViT-H/14 vision encoder", "Wan 2.1 I2V / Fun-Control", "clip_vision_h.safetensors"),
    "clip_vision_g": ("CLIP-ViT-bigG vision encoder", "SDXL unCLIP / IP-Adapter", "clip_vision_g.safetensors"),
    "clip_vision_vitl": ("CLIP-ViT-L/14 vision encoder", "IP-Adapter / SD", "clip_vision_vit_l.safetensors"),
    "clip_vision_vitl_336": ("CLIP-ViT-L/14-336 vision encoder", "other models", "clip_vision_vit_l_336.safetensors"),
    "llava_llama3_vision": ("LLaVA-LLaMA-3 vision tower", "HunyuanVideo 1.0 I2V", "llava_llama3_vision.safetensors"),
    "siglip_384": ("SigLIP so400m/14-384 vision encoder", "HunyuanVideo 1.5 I2V",
                   "sigclip_vision_patch14_384.safetensors"),
    "siglip_512": ("SigLIP 512 vision encoder", "other models", "siglip_512.safetensors"),
    "siglip2_naflex": ("SigLIP2 NaFlex vision encoder", "other models", "siglip2_naflex.safetensors"),
    "dino2": ("DINOv2 image encoder", "other models", "dinov2.safetensors"),
    "dino3": ("DINOv3 image encoder", "other models", "dinov3.safetensors"),
}


@dataclass(frozen=True)
class ComponentDescription:
    """What a companion file is. `dims` holds the widths other files must agree with (e.g. hidden_size)."""
    file_name: str
    path: Path
    role: str                      # "text_encoder" | "vae" | "clip_vision"
    kind: str
    display_name: str
    used_by: str
    precision: dict
    parameter_count: int
    weight_bytes: int
    dims: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def describe_kind(kind: str, with_users: bool = True) -> str:
    """'a UMT5-XXL text encoder (Wan)' (every display name starts with a consonant sound)."""
    display, used_by, _ = KINDS.get(kind, (kind, "", ""))
    return f"a {display}" + (f" ({used_by})" if used_by and with_users else "")


def example_file(kind: str) -> str:
    return KINDS.get(kind, ("", "", f"a {kind} file"))[2]


def _component(header: SafetensorsHeader, role: str, kind: str, dims: dict, notes=()) -> ComponentDescription:
    display, used_by, _ = KINDS[kind]
    params = sum(t.numel for t in header.tensors.values() if not is_quant_aux(t.name))
    return ComponentDescription(header.path.name, header.path, role, kind, display, used_by,
                                describe_precision(header), params, header.data_bytes, dims, tuple(notes))


def _shapes(header: SafetensorsHeader) -> dict[str, tuple[int, ...]]:
    return {name: t.shape for name, t in header.tensors.items()}


def _header(path_or_header) -> SafetensorsHeader:
    if isinstance(path_or_header, SafetensorsHeader):
        return path_or_header
    return read_safetensors_header(path_or_header)


def _count(shapes, prefix: str) -> int:
    n = 0
    while any(k.startswith(f"{prefix}{n}.") for k in shapes):
        n += 1
    return n


def _prefixed_marker(shapes, markers) -> tuple[str, str] | None:
    """(prefix, marker) when a known marker key sits under an extra prefix (e.g. a text encoder saved out of a full
    checkpoint as `text_encoders.qwen25_7b.transformer.model.layers...`)."""
    for key in shapes:
        for marker in markers:
            if key.endswith("." + marker):
                return key[: -len(marker)], marker
    return None


def _strip(shapes, prefix: str) -> dict:
    return {k[len(prefix):]: v for k, v in shapes.items() if k.startswith(prefix)}


def _summary(shapes) -> str:
    groups = sorted({k.split(".", 1)[0] for k in shapes})
    shown = ", ".join(groups[:10]) + (f", ... ({len(groups)} groups)" if len(groups) > 10 else "")
    return f"{len(shapes)} tensors in the top-level groups [{shown or 'none'}]"


# ------------------------------------------------------------------------------------------------- text encoders
_TE_MARKERS = ("text_model.encoder.layers.0.mlp.fc1.weight", "model.encoder.layers.0.mixer.Wqkv.weight",
               "encoder.block.0.layer.0.SelfAttention.k.weight", "model.layers.0.post_feedforward_layernorm.weight",
               "model.layers.0.self_attn.k_proj.bias", "model.layers.0.post_attention_layernorm.weight")


def text_encoder_kind(shapes: dict[str, tuple[int, ...]]) -> tuple[str, dict, tuple[str, ...]] | None:
    """(kind, dims, notes) for a text-encoder key -> shape map, or None. The branch order is detect_te_model's;
    where 0.8 and 0.33 test different things (T5 widths) both agree on every real file."""
    s = shapes
    notes: list[str] = []
    if "transformer.resblocks.0.ln_1.weight" in s:  # OpenCLIP text tower: converted by ComfyUI (utils.py)
        layers = _count(s, "transformer.resblocks.")
        width = s["transformer.resblocks.0.ln_1.weight"][0]
        kind = "clip_g" if layers > 30 else "clip_h" if layers > 22 else "clip_l"
        return kind, {"hidden_size": width, "layers": layers}, ("OpenCLIP key layout (ComfyUI converts it)",)
    if "text_model.encoder.layers.30.mlp.fc1.weight" in s:
        return "clip_g", {"hidden_size": s["text_model.encoder.layers.30.mlp.fc1.weight"][1]}, ()
    if "text_model.encoder.layers.22.mlp.fc1.weight" in s:
        return "clip_h", {"hidden_size": s["text_model.encoder.layers.22.mlp.fc1.weight"][1]}, ()
    if "text_model.encoder.layers.0.mlp.fc1.weight" in s:
        return "clip_l", {"hidden_size": s["text_model.encoder.layers.0.mlp.fc1.weight"][1]}, ()
    if "model.encoder.layers.0.mixer.Wqkv.weight" in s:
        return "jina_clip_v2", {"hidden_size": s["model.encoder.layers.0.mixer.Wqkv.weight"][1]}, ()
    wi_1 = s.get("encoder.block.23.layer.1.DenseReluDense.wi_1.weight")
    if wi_1 is not None:
        # 0.8 tests d_model (shape[-1] 4096 / 2048), 0.33 d_ff (shape[0] 10240 / 5120): the same files.
        d_ff, d_model = wi_1[0], wi_1[-1]
        if d_model == 4096 or d_ff == 10240:
            vocab = s.get("shared.weight", (None,))[0]
            # UMT5 has a relative attention bias in every block (T5: block 0 only) and a 256384-token vocabulary.
            umt5 = vocab == 256384 or "encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight" in s
            return ("umt5_xxl" if umt5 else "t5_xxl"), {"hidden_size": d_model, "vocab_size": vocab}, ()
        if d_model == 2048 or d_ff == 5120:
            return "t5_xl", {"hidden_size": d_model}, ()
    if "encoder.block.23.layer.1.DenseReluDense.wi.weight" in s:
        return "t5_xxl_old", {"hidden_size": s["encoder.block.23.layer.1.DenseReluDense.wi.weight"][1]}, ()
    k = s.get("encoder.block.0.layer.0.SelfAttention.k.weight")
    if k is not None:
        return ("byt5_small_glyph" if k[0] == 384 else "t5_base"), {"hidden_size": k[1]}, ()
    if "model.encoder.layers.0.pre_self_attn_layernorm.weight" in s:  # 0.33 only
        return "t5_gemma", {}, ()
    hidden = s.get("model.layers.0.post_attention_layernorm.weight", (None,))[0]
    if "model.layers.0.post_feedforward_layernorm.weight" in s:
        q = lambda i: f"model.layers.{i}.self_attn.q_norm.weight" in s  # noqa: E731
        if q(59) or (q(47) and "model.layers.5.self_attn.v_proj.weight" not in s) or (q(41) and not q(47)) \
                or (q(34) and not q(41)):
            return "gemma4", {"hidden_size": hidden}, ()  # 0.33 only
        if q(47):
            return "gemma3_12b", {"hidden_size": hidden}, ()
        if q(0):
            if "vision_model.embeddings.patch_embedding.weight" in s:
                notes.append("includes Gemma's vision tower (unused by the text encoder)")
            return "gemma3_4b", {"hidden_size": hidden}, tuple(notes)
        return "gemma2_2b", {"hidden_size": hidden}, ()
    if "layers.0.self_attn.sinks" in s and "layers.0.mlp.experts.gate_up_proj.weight" in s:  # 0.33 only
        return "gpt_oss_20b", {}, ()
    kb = s.get("model.layers.0.self_attn.k_proj.bias")
    if kb is not None and kb[0] in (256, 512):
        if kb[0] == 256:
            return "qwen25_3b", {"hidden_size": hidden}, ()
        # ComfyUI calls both QWEN25_7B and always builds the vision tower; without `visual.*` weights it stays
        # uninitialised, which only matters where images go through the text encoder (Qwen-Image-Edit).
        kind = "qwen25_7b_vl" if any(key.startswith("visual.") for key in s) else "qwen25_7b"
        return kind, {"hidden_size": hidden}, ()
    if "model.language_model.layers.0.linear_attn.A_log" in s:  # 0.33 only
        return "qwen35", {}, ()
    if "model.visual.deepstack_merger_list.0.norm.weight" in s or "visual.deepstack_merger_list.0.norm.weight" in s:
        return "qwen3_vl", {}, ()
    if hidden is not None:
        if "model.layers.0.self_attn.q_norm.weight" in s and hidden in (1024, 2048, 2560, 4096):
            return "qwen3", {"hidden_size": hidden}, ()
        if hidden == 5120:
            return "mistral3_24b", {"hidden_size": hidden}, ()
        if hidden == 3072:
            return "ministral_3_3b", {"hidden_size": hidden}, ()
        vocab = s.get("model.embed_tokens.weight", (None,))[0]
        # HunyuanVideo's LLaVA-LLaMA-3 has 128320 tokens (ComfyUI's llama config); plain Llama 3.1 has 128256.
        kind = "llama3_8b_llava" if vocab == 128320 else "llama3_8b"
        return kind, {"hidden_size": hidden, "vocab_size": vocab}, ()
    return None


def identify_text_encoder(path_or_header) -> ComponentDescription:
    header = _header(path_or_header)
    shapes = _shapes(header)
    if "lm_head.weight" in shapes:  # 0.33 moves it under model. (sd.py:1733); it never decides the kind
        shapes = {k: v for k, v in shapes.items() if k != "lm_head.weight"}
    found = text_encoder_kind(shapes)
    if found is None:
        _raise_unknown(header, shapes, "text encoder", _TE_MARKERS, text_encoder_kind,
                       "ComfyUI's text-encoder loader (CLIPLoader) strips no prefix")
    kind, dims, notes = found
    return _component(header, "text_encoder", kind, dims, notes)


def _raise_unknown(header, shapes, what: str, markers, detect, prefix_note: str):
    name = header.path.name
    other = _identify_other_role(shapes, what)
    if other:
        raise UnknownComponentError(f"{name} is {other}, not a {what}: choose a {what} file here")
    hit = _prefixed_marker(shapes, markers)
    if hit:
        prefix = hit[0]
        inner = detect(_strip(shapes, prefix))
        if inner:
            raise UnknownComponentError(
                f"{name} holds {describe_kind(inner[0])}, but with every key under the prefix {prefix!r} (it was "
                f"saved out of a bigger checkpoint); {prefix_note}, so it would not recognise the file. Use the "
                f"standalone file (e.g. {example_file(inner[0])})")
    raise UnknownComponentError(
        f"{name}: not a {what} ComfyUI recognises. Found {_summary(shapes)}. Choose a {what} file "
        f"(e.g. from ComfyUI's models/{_FOLDERS[what]} folder)")


_FOLDERS = {"text encoder": "text_encoders", "VAE": "vae", "CLIP vision encoder": "clip_vision"}


# ----------------------------------------------------------------------------------------------------------- VAEs
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
    header = _header(path_or_header)
    shapes = _shapes(header)
    found = vae_kind(shapes)
    if found is None:
        _raise_unknown(header, shapes, "VAE", _VAE_MARKERS, vae_kind, "ComfyUI's VAE loader strips no prefix")
    kind, dims, notes = found
    return _component(header, "vae", kind, dims, notes)


# --------------------------------------------------------------------------------------------------- CLIP vision
_CV_MARKERS = ("vision_model.encoder.layers.0.layer_norm1.weight",)


def clip_vision_kind(shapes: dict[str, tuple[int, ...]]) -> tuple[str, dict, tuple[str, ...]] | None:
    s = shapes
    if "visual.transformer.resblocks.0.attn.in_proj_weight" in s:  # clip_vision.load: OpenCLIP form, converted
        layers = _count(s, "visual.transformer.resblocks.")
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
        return "clip_vision_g", {"layers": _count(s, "vision_model.encoder.layers.")}, ()
    if "vision_model.encoder.layers.30.layer_norm1.weight" in s:
        return "clip_vision_h", {"layers": _count(s, "vision_model.encoder.layers."),
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
    header = _header(path_or_header)
    shapes = _shapes(header)
    found = clip_vision_kind(shapes)
    if found is None:
        _raise_unknown(header, shapes, "CLIP vision encoder", _CV_MARKERS, clip_vision_kind,
                       "ComfyUI's CLIP vision loader strips no prefix other than OpenCLIP's 'visual.'")
    kind, dims, notes = found
    return _component(header, "clip_vision", kind, dims, notes)


def _identify_other_role(shapes, expected_role: str) -> str | None:
    """Name what a file is when it is given in the wrong slot (a VAE as text encoder, a diffusion model, ...)."""
    checks = (("text encoder", text_encoder_kind), ("VAE", vae_kind), ("CLIP vision encoder", clip_vision_kind))
    for role, detect in checks:
        if role == expected_role:
            continue
        found = detect(shapes)
        if found:
            return describe_kind(found[0])
    from .families import FAMILY_MODULES
    for module in FAMILY_MODULES:
        marker = module.MARKER_KEY
        if any(k == marker or k.endswith("." + marker) for k in shapes):
            return f"a {module.DISPLAY_NAME} diffusion model"
    if lora_modules(shapes)[0]:
        return "a LoRA"
    return None


# ---------------------------------------------------------------------------------------------------------- LoRAs
# Adapter tensor suffixes ComfyUI's weight adapters read (weight_adapter/lora.py, loha.py, lokr.py, comfy/lora.py).
LORA_SUFFIXES = tuple(sorted((
    ".lora_up.weight", ".lora_down.weight", ".lora_mid.weight", "_lora.up.weight", "_lora.down.weight",
    ".lora_B.weight", ".lora_A.weight", ".lora.up.weight", ".lora.down.weight", ".lora_B", ".lora_A",
    ".lora_linear_layer.up.weight", ".lora_linear_layer.down.weight", ".lora_B.default.weight",
    ".lora_A.default.weight", ".alpha", ".dora_scale", ".diff", ".diff_b", ".reshape_weight",
    ".hada_w1_a", ".hada_w1_b", ".hada_w2_a", ".hada_w2_b", ".hada_t1", ".hada_t2",
    ".lokr_w1", ".lokr_w2", ".lokr_w1_a", ".lokr_w1_b", ".lokr_w2_a", ".lokr_w2_b", ".lokr_t2",
    ".oft_blocks", ".rescale", ".a1.weight", ".a2.weight", ".b1.weight", ".b2.weight"), key=len, reverse=True))
_UP = (".lora_up.weight", "_lora.up.weight", ".lora_B.weight", ".lora.up.weight", ".lora_B",
       ".lora_linear_layer.up.weight", ".lora_B.default.weight")
_DOWN = (".lora_down.weight", "_lora.down.weight", ".lora_A.weight", ".lora.down.weight", ".lora_A",
         ".lora_linear_layer.down.weight", ".lora_A.default.weight")
# Key prefixes ComfyUI maps onto a diffusion model (comfy/lora.py model_lora_keys_unet), longest first.
LORA_PREFIXES = ("diffusion_model.", "base_model.model.", "lora_unet_", "lycoris_", "transformer.", "unet.")
TEXT_ENCODER_LORA_PREFIXES = ("lora_te_", "lora_te1_", "lora_te2_", "text_encoders.", "text_encoder.", "te.")

# family -> patterns on the module path (dotted, or with "_" for the lora_unet_/lycoris_ forms).
_SEP = r"[._]"
LORA_FAMILY_PATTERNS = {
    "wan": re.compile(rf"^(vace_)?blocks{_SEP}\d+{_SEP}(self_attn|cross_attn|ffn{_SEP}[02])"),
    "qwen_image": re.compile(rf"^transformer_blocks{_SEP}\d+{_SEP}(attn|img_mlp|txt_mlp|img_mod|txt_mod)"),
    "hunyuan_video": re.compile(rf"^(double_blocks|single_blocks){_SEP}\d+{_SEP}"),
    "newbie": re.compile(rf"^(layers|noise_refiner|context_refiner){_SEP}\d+{_SEP}(attention|feed_forward|adaLN)"),
}
# Wan LoRAs in diffusers naming (blocks.N.attn1.to_q, ffn.net.0.proj): no ComfyUI version maps them onto Wan.
_WAN_DIFFUSERS = re.compile(rf"^blocks{_SEP}\d+{_SEP}(attn1|attn2|ffn{_SEP}net)")


@dataclass(frozen=True)
class LoraDescription:
    file_name: str
    path: Path
    target_family: str | None           # "wan", "qwen_image", "hunyuan_video", "newbie" or None
    key_format: str                      # "diffusion_model.", "lora_unet_", "transformer.", "bare", ...
    adapter: str                         # "lora", "loha", "lokr", "diff", ...
    modules: dict                        # module path (prefix removed) -> {"up": shape, "down": shape, ...}
    text_encoder_modules: int            # modules aimed at the text encoder (applied to the CLIP, not checked)
    precision: dict
    weight_bytes: int
    unsupported_naming: bool = False     # diffusers-named Wan LoRA: ComfyUI maps none of its keys
    module_formats: dict = field(default_factory=dict)  # module path -> its key prefix ("diffusion_model.", ...)
    notes: tuple[str, ...] = ()
    role: str = "lora"

    @property
    def kind(self) -> str:
        return f"lora_{self.target_family or 'unknown'}"


def lora_modules(shapes: dict[str, tuple[int, ...]]):
    """({module key as written: {part: shape}}, adapter name). Applies comfy/lora_convert.py first (Wan Fun's
    `lora_unet__` double underscore)."""
    modules: dict[str, dict] = {}
    adapters = set()
    for key, shape in shapes.items():
        if key.startswith("lora_unet__"):
            key = "lora_unet_" + key[len("lora_unet__"):]
        for suffix in LORA_SUFFIXES:
            if key.endswith(suffix):
                part = "up" if suffix in _UP else "down" if suffix in _DOWN else suffix.strip(".")
                modules.setdefault(key[: -len(suffix)], {})[part] = tuple(shape)
                adapters.add("lora" if part in ("up", "down", "lora_mid.weight") else
                             "loha" if "hada" in suffix else "lokr" if "lokr" in suffix else
                             "diff" if suffix in (".diff", ".diff_b") else None)
                break
    adapters.discard(None)
    return modules, "+".join(sorted(adapters)) or "none"


def _split_prefix(module: str) -> tuple[str, str]:
    for prefix in LORA_PREFIXES:
        if module.startswith(prefix):
            return prefix, module[len(prefix):]
    return "bare", module


def identify_lora(path_or_header) -> LoraDescription:
    header = _header(path_or_header)
    shapes = _shapes(header)
    name = header.path.name
    found, adapter = lora_modules(shapes)
    if not found:
        other = _identify_other_role(shapes, "LoRA")
        what = f"it is {other}" if other else f"found {_summary(shapes)}"
        raise UnknownComponentError(
            f"{name}: not a LoRA ({what}; no lora_up/lora_down, lora_A/lora_B, LoHa or LoKr tensors). "
            f"Choose a LoRA file from ComfyUI's models/loras folder")
    modules, module_formats, formats, votes, te_modules = {}, {}, set(), {}, 0
    unsupported = False
    for module, parts in found.items():
        if module.startswith(TEXT_ENCODER_LORA_PREFIXES):
            te_modules += 1
            continue
        prefix, path = _split_prefix(module)
        formats.add(prefix)
        modules[path] = parts
        module_formats[path] = prefix
        for family, pattern in LORA_FAMILY_PATTERNS.items():
            if pattern.match(path):
                votes[family] = votes.get(family, 0) + 1
                break
        else:
            if _WAN_DIFFUSERS.match(path):
                votes["wan"] = votes.get("wan", 0) + 1
                unsupported = True
    family = max(votes, key=votes.get) if votes else None
    notes = []
    if family == "hunyuan_video":
        notes.append("double_blocks/single_blocks keys: FLUX LoRAs use the same names")
    if len(votes) > 1:
        notes.append("keys aimed at several families: " + ", ".join(f"{f} {n}" for f, n in sorted(votes.items())))
    return LoraDescription(name, header.path, family, "+".join(sorted(formats)) or "none", adapter, modules,
                           te_modules, describe_precision(header), header.data_bytes, unsupported,
                           module_formats, tuple(notes))


# HunyuanVideo LoRA renames (comfy/lora.py, HunyuanVideo branch: 0.8 lora.py:274-284), LoRA spelling -> module.
_HV_RENAMES = (("_mod.linear.", "_mod.lin."), ("_attn_qkv.", "_attn.qkv."), ("_attn_proj.", "_attn.proj."),
               ("mlp.fc1.", "mlp.0."), ("mlp.fc2.", "mlp.2."), (".modulation.linear.", ".modulation.lin."))


# Key prefixes comfy/lora.py model_lora_keys_unet maps for each family: the generic diffusion_model.<m> and
# lora_unet_<m_> for every model (0.8 lora.py:179-185), plus HunyuanVideo transformer.<m> (:274-284), Qwen-Image
# <m> / transformer.<m> / lycoris_ (:306-314) and Lumina 2 transformer.<m> / lycoris_ (:316-323). Wan has no branch.
LORA_FORMATS_MAPPED = {
    "wan": ("diffusion_model.", "lora_unet_"),
    "hunyuan_video": ("diffusion_model.", "lora_unet_", "transformer."),
    "qwen_image": ("diffusion_model.", "lora_unet_", "bare", "transformer.", "lycoris_"),
    "newbie": ("diffusion_model.", "lora_unet_", "transformer.", "lycoris_"),
}


@dataclass(frozen=True)
class LoraFit:
    mapped: int
    unmapped: tuple[str, ...]
    mismatched: tuple[tuple[str, str], ...]   # (module, what differs)
    unmapped_formats: tuple[str, ...] = ()    # key prefixes ComfyUI does not map for this family


def fit_lora(lora: LoraDescription, model_shapes: dict[str, tuple[int, ...]]) -> LoraFit:
    """Which LoRA modules land on a weight of the model (as comfy/lora.py maps them) and whether the low-rank
    factors fit that weight's shape (up: [out, rank], down: [rank, in, ...])."""
    underscored = {k[: -len(".weight")].replace(".", "_"): k for k in model_shapes if k.endswith(".weight")}
    mapped, unmapped, mismatched, bad_formats = 0, [], [], set()
    accepted = LORA_FORMATS_MAPPED.get(lora.target_family, LORA_PREFIXES + ("bare",))
    for module, parts in lora.modules.items():
        target = None
        key_format = lora.module_formats.get(module, "bare")
        if key_format not in accepted:
            unmapped.append(module)
            bad_formats.add(key_format)
            continue
        candidates = [module]
        if lora.target_family == "hunyuan_video":
            renamed = module + "."
            for old, new in _HV_RENAMES:
                renamed = renamed.replace(old, new)
            candidates.append(renamed[:-1])
        for candidate in candidates:
            key = candidate + (".bias" if "diff_b" in parts else ".weight")
            if key in model_shapes:
                target = key
                break
            if candidate in underscored:
                target = underscored[candidate]
                break
        if target is None:
            unmapped.append(module)
            continue
        mapped += 1
        weight = model_shapes[target]
        up, down = parts.get("up"), parts.get("down")
        if up is not None and down is not None and len(weight) >= 2:
            if up[0] != weight[0] or down[1] != weight[1]:
                mismatched.append((module, f"LoRA {down[1]} -> {up[0]}, model weight {weight[1]} -> {weight[0]}"))
        diff = parts.get("diff")
        if diff is not None and tuple(diff) != tuple(weight):
            mismatched.append((module, f"diff {list(diff)} vs weight {list(weight)}"))
    return LoraFit(mapped, tuple(unmapped), tuple(mismatched), tuple(sorted(bad_formats)))


def total_numel(shapes) -> int:
    return sum(math.prod(s) for s in shapes.values())

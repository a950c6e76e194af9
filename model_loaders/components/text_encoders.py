"""Text encoders: comfy/sd.py `detect_te_model` (0.8 sd.py:1048-1096 / 0.33 sd.py:1610-1697) after the key fix-ups
of `load_text_encoder_state_dicts` (0.8 sd.py:1126-1131 / 0.33 sd.py:1727-1734: OpenCLIP `transformer.resblocks`
conversion, `lm_head.weight`). Neither version strips any other prefix from a text-encoder file."""
from __future__ import annotations

from ..layout import count_blocks
from .kinds import ComponentDescription, component_description, key_shapes, read_header
from .unknown import raise_unknown

_TE_MARKERS = ("text_model.encoder.layers.0.mlp.fc1.weight", "model.encoder.layers.0.mixer.Wqkv.weight",
               "encoder.block.0.layer.0.SelfAttention.k.weight", "model.layers.0.post_feedforward_layernorm.weight",
               "model.layers.0.self_attn.k_proj.bias", "model.layers.0.post_attention_layernorm.weight")


def text_encoder_kind(shapes: dict[str, tuple[int, ...]]) -> tuple[str, dict, tuple[str, ...]] | None:
    """(kind, dims, notes) for a text-encoder key -> shape map, or None. The branch order is detect_te_model's;
    where 0.8 and 0.33 test different things (T5 widths) both agree on every real file."""
    s = shapes
    notes: list[str] = []
    if "transformer.resblocks.0.ln_1.weight" in s:  # OpenCLIP text tower: converted by ComfyUI (utils.py)
        layers = count_blocks(s, "transformer.resblocks.")
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
    header = read_header(path_or_header)
    shapes = key_shapes(header)
    if "lm_head.weight" in shapes:  # 0.33 moves it under model. (sd.py:1733); it never decides the kind
        shapes = {k: v for k, v in shapes.items() if k != "lm_head.weight"}
    found = text_encoder_kind(shapes)
    if found is None:
        raise_unknown(header, shapes, "text encoder", _TE_MARKERS, text_encoder_kind,
                       "ComfyUI's text-encoder loader (CLIPLoader) strips no prefix")
    kind, dims, notes = found
    return component_description(header, "text_encoder", kind, dims, notes)

"""Every key of ComfyUI's Qwen-Image diffusion model (comfy/ldm/qwen_image/model.py: QwenImageTransformer2DModel)
with its shape. ComfyUI reads only in_channels and the block count from the file (model_detection.py, Qwen branch);
the width 3072, joint_attention_dim 3584 and the MLP ratio are constructor constants.
"""
from __future__ import annotations

Shapes = dict[str, tuple[int, ...]]

INNER_DIM = 3072
JOINT_ATTENTION_DIM = 3584   # qwen2.5-VL-7B hidden size
HEAD_DIM = 128
OUT_CHANNELS = 16
PATCH = 2


def _lin(p: str, out_f: int, in_f: int) -> Shapes:
    return {f"{p}.weight": (out_f, in_f), f"{p}.bias": (out_f,)}


def qwen_image_tensor_shapes(num_layers: int, in_channels: int = 64, *, index_timestep_zero: bool = False,
                             additional_t_cond: bool = False) -> Shapes:
    """Every key of QwenImageTransformer2DModel with its shape, in module order. Real Qwen-Image: 60 layers."""
    d = INNER_DIM
    s: Shapes = {}
    s.update(_lin("time_text_embed.timestep_embedder.linear_1", d, 256))
    s.update(_lin("time_text_embed.timestep_embedder.linear_2", d, d))
    if additional_t_cond:  # Qwen-Image-Layered: nn.Embedding(2, dim)
        s["time_text_embed.addition_t_embedding.weight"] = (2, d)
    s["txt_norm.weight"] = (JOINT_ATTENTION_DIM,)
    s.update(_lin("img_in", d, in_channels))
    s.update(_lin("txt_in", d, JOINT_ATTENTION_DIM))
    for i in range(num_layers):
        p = f"transformer_blocks.{i}."
        for stream in ("img", "txt"):
            s.update(_lin(f"{p}{stream}_mod.1", 6 * d, d))
            s.update(_lin(f"{p}{stream}_mlp.net.0.proj", 4 * d, d))
            s.update(_lin(f"{p}{stream}_mlp.net.2", d, 4 * d))
        for n in ("norm_q", "norm_k", "norm_added_q", "norm_added_k"):
            s[f"{p}attn.{n}.weight"] = (HEAD_DIM,)
        for n in ("to_q", "to_k", "to_v", "add_q_proj", "add_k_proj", "add_v_proj", "to_out.0", "to_add_out"):
            s.update(_lin(f"{p}attn.{n}", d, d))
    s.update(_lin("norm_out.linear", 2 * d, d))
    s.update(_lin("proj_out", PATCH * PATCH * OUT_CHANNELS, d))
    if index_timestep_zero:  # Edit-2511: an empty marker buffer
        s["__index_timestep_zero__"] = (0,)
    return s

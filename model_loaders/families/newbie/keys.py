"""Every key of ComfyUI's NextDiT (comfy/ldm/lumina/model.py) as detection configures it for NewBie-image (dim 2304,
24 heads / 8 KV heads, 2 noise + 2 context refiner blocks, clip_text_pooled_proj) with its shape.
"""
from __future__ import annotations

Shapes = dict[str, tuple[int, ...]]

DIM = 2304
N_HEADS, N_KV_HEADS = 24, 8
HEAD_DIM = DIM // N_HEADS          # 96
FFN_DIM = 4 * DIM                  # ffn_dim_multiplier 4.0, multiple_of 256 -> 9216
ADALN_DIM = 1024                   # min(dim, 1024)
CAP_FEAT_DIM = 2560                # gemma-3-4b hidden size
CLIP_TEXT_DIM = 1024               # jina-clip-v2 pooled output
PATCH, IN_CHANNELS = 2, 16


def _block(p: str, dim: int, modulation: bool) -> Shapes:
    qkv = (N_HEADS + 2 * N_KV_HEADS) * HEAD_DIM
    s: Shapes = {
        f"{p}attention.qkv.weight": (qkv, dim),
        f"{p}attention.out.weight": (dim, dim),
        f"{p}attention.q_norm.weight": (HEAD_DIM,),
        f"{p}attention.k_norm.weight": (HEAD_DIM,),
        f"{p}feed_forward.w1.weight": (FFN_DIM, dim),
        f"{p}feed_forward.w2.weight": (dim, FFN_DIM),
        f"{p}feed_forward.w3.weight": (FFN_DIM, dim),
        f"{p}attention_norm1.weight": (dim,),
        f"{p}ffn_norm1.weight": (dim,),
        f"{p}attention_norm2.weight": (dim,),
        f"{p}ffn_norm2.weight": (dim,),
    }
    if modulation:
        s[f"{p}adaLN_modulation.1.weight"] = (4 * dim, ADALN_DIM)
        s[f"{p}adaLN_modulation.1.bias"] = (4 * dim,)
    return s


def newbie_tensor_shapes(n_layers: int, *, cap_feat_dim: int = CAP_FEAT_DIM,
                         clip_text_dim: int = CLIP_TEXT_DIM) -> Shapes:
    """Every key of NextDiT as ComfyUI builds it for NewBie, in module order. Real NewBie Exp0.1: 36 layers."""
    d = DIM
    s: Shapes = {"x_embedder.weight": (d, PATCH * PATCH * IN_CHANNELS), "x_embedder.bias": (d,)}
    for i in range(2):
        s.update(_block(f"noise_refiner.{i}.", d, True))
    for i in range(2):
        s.update(_block(f"context_refiner.{i}.", d, False))
    s.update({
        "t_embedder.mlp.0.weight": (ADALN_DIM, 256), "t_embedder.mlp.0.bias": (ADALN_DIM,),
        "t_embedder.mlp.2.weight": (ADALN_DIM, ADALN_DIM), "t_embedder.mlp.2.bias": (ADALN_DIM,),
        "cap_embedder.0.weight": (cap_feat_dim,),
        "cap_embedder.1.weight": (d, cap_feat_dim), "cap_embedder.1.bias": (d,),
    })
    for i in range(n_layers):
        s.update(_block(f"layers.{i}.", d, True))
    s.update({
        "clip_text_pooled_proj.0.weight": (clip_text_dim,),
        "clip_text_pooled_proj.1.weight": (clip_text_dim, clip_text_dim),
        "clip_text_pooled_proj.1.bias": (clip_text_dim,),
        "time_text_embed.1.weight": (ADALN_DIM, ADALN_DIM + clip_text_dim),
        "time_text_embed.1.bias": (ADALN_DIM,),
        "final_layer.linear.weight": (PATCH * PATCH * IN_CHANNELS, d), "final_layer.linear.bias": (PATCH * PATCH * IN_CHANNELS,),
        "final_layer.adaLN_modulation.1.weight": (d, ADALN_DIM), "final_layer.adaLN_modulation.1.bias": (d,),
    })
    return s

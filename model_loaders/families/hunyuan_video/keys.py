"""Every key of ComfyUI's HunyuanVideo 1.0 / 1.5 diffusion model (comfy/ldm/hunyuan_video/model.py) with its shape.

QK-norm scales are `*_norm.scale`, as real files and ComfyUI 0.8's module name them (ComfyUI 0.33's module calls them
`.weight` and renames `_norm.scale` keys on load, comfy/supported_models.py:754 in 0.33). The token refiner always has
2 blocks; head size is 128; mlp_ratio 4.
"""
from __future__ import annotations

Shapes = dict[str, tuple[int, ...]]

VECTOR_DIM = 768       # clip-l pooled, fixed when any vector_in key exists
BYT5_DIM = 1472
VISION_DIM = 1152      # ComfyUI's HunyuanVideo15 class requires vision_in_dim == 1152


def _mlp_embedder(p: str, in_dim: int, hidden: int) -> Shapes:
    return {f"{p}in_layer.weight": (hidden, in_dim), f"{p}in_layer.bias": (hidden,),
            f"{p}out_layer.weight": (hidden, hidden), f"{p}out_layer.bias": (hidden,)}


def _lin(p: str, out_f: int, in_f: int) -> Shapes:
    return {f"{p}.weight": (out_f, in_f), f"{p}.bias": (out_f,)}


def hunyuan_video_tensor_shapes(hidden: int, depth: int, depth_single: int, in_channels: int, out_channels: int,
                                context_dim: int, *, patch: tuple[int, int, int] = (1, 2, 2),
                                vector_in: bool = True, guidance_in: bool = True, byt5: bool = False,
                                vision_in: bool = False, cond_type_embedding: bool = False,
                                mlp_ratio: float = 4.0, meanflow: bool = False) -> Shapes:
    """Every key of comfy's HunyuanVideo module with its shape, in module order.

    Real HunyuanVideo 1.0 T2V: hunyuan_video_tensor_shapes(3072, 20, 40, 16, 16, 4096).
    Real HunyuanVideo 1.5: hunyuan_video_tensor_shapes(2048, 54, 0, 65, 32, 3584, patch=(1, 1, 1),
    vector_in=False, guidance_in=False, byt5=True, vision_in=True, cond_type_embedding=True).
    """
    h = hidden
    mlp = int(h * mlp_ratio)
    s: Shapes = {"img_in.proj.weight": (h, in_channels, *patch), "img_in.proj.bias": (h,)}
    s.update(_mlp_embedder("time_in.", 256, h))
    if meanflow:  # distilled 1.5 checkpoints: a second timestep embedder (ComfyUI reads `meanflow` from time_r_in.*)
        s.update(_mlp_embedder("time_r_in.", 256, h))
    if vector_in:
        s.update(_mlp_embedder("vector_in.", VECTOR_DIM, h))
    if guidance_in:
        s.update(_mlp_embedder("guidance_in.", 256, h))
    s.update(_lin("txt_in.input_embedder", h, context_dim))
    s.update(_mlp_embedder("txt_in.t_embedder.", 256, h))
    s.update(_mlp_embedder("txt_in.c_embedder.", context_dim, h))
    for i in range(2):
        p = f"txt_in.individual_token_refiner.blocks.{i}."
        s.update(_lin(f"{p}adaLN_modulation.1", 2 * h, h))
        s.update({f"{p}norm1.weight": (h,), f"{p}norm1.bias": (h,)})
        s.update(_lin(f"{p}self_attn.qkv", 3 * h, h))
        s.update(_lin(f"{p}self_attn.proj", h, h))
        s.update({f"{p}norm2.weight": (h,), f"{p}norm2.bias": (h,)})
        s.update(_lin(f"{p}mlp.0", mlp, h))
        s.update(_lin(f"{p}mlp.2", h, mlp))
    head = 128
    for i in range(depth):
        p = f"double_blocks.{i}."
        for stream in ("img", "txt"):
            s.update(_lin(f"{p}{stream}_mod.lin", 6 * h, h))
            s.update(_lin(f"{p}{stream}_attn.qkv", 3 * h, h))
            s[f"{p}{stream}_attn.norm.query_norm.scale"] = (head,)
            s[f"{p}{stream}_attn.norm.key_norm.scale"] = (head,)
            s.update(_lin(f"{p}{stream}_attn.proj", h, h))
            s.update(_lin(f"{p}{stream}_mlp.0", mlp, h))
            s.update(_lin(f"{p}{stream}_mlp.2", h, mlp))
    for i in range(depth_single):
        p = f"single_blocks.{i}."
        s.update(_lin(f"{p}linear1", 3 * h + mlp, h))
        s.update(_lin(f"{p}linear2", h, h + mlp))
        s[f"{p}norm.query_norm.scale"] = (head,)
        s[f"{p}norm.key_norm.scale"] = (head,)
        s.update(_lin(f"{p}modulation.lin", 3 * h, h))
    if byt5:
        s.update({"byt5_in.layernorm.weight": (BYT5_DIM,), "byt5_in.layernorm.bias": (BYT5_DIM,)})
        s.update(_lin("byt5_in.fc1", 2048, BYT5_DIM))
        s.update(_lin("byt5_in.fc2", 2048, 2048))
        s.update(_lin("byt5_in.fc3", h, 2048))
    patch_volume = patch[0] * patch[1] * patch[2]
    s.update(_lin("final_layer.linear", out_channels * patch_volume, h))
    s.update(_lin("final_layer.adaLN_modulation.1", 2 * h, h))
    if vision_in:  # LayerNorm, Linear, GELU, Linear, LayerNorm
        s.update({"vision_in.proj.0.weight": (VISION_DIM,), "vision_in.proj.0.bias": (VISION_DIM,)})
        s.update(_lin("vision_in.proj.1", VISION_DIM, VISION_DIM))
        s.update(_lin("vision_in.proj.3", h, VISION_DIM))
        s.update({"vision_in.proj.4.weight": (h,), "vision_in.proj.4.bias": (h,)})
    if cond_type_embedding:
        s["cond_type_embedding.weight"] = (3, h)
    return s

"""Every key of ComfyUI's Wan 2.1 / 2.2 diffusion model (comfy/ldm/wan/model.py: WanModel, VaceWanModel) with its
shape, from the architecture numbers detection reads. Production code owns this table: the loader checks a file
against it ("required keys are all present"), and tests/tiny_models builds its fixtures from it.
tests/comfyui/test_tiny_models_in_comfyui.py proves it equal to ComfyUI's own module state dicts.
"""
from __future__ import annotations

Shapes = dict[str, tuple[int, ...]]

TEXT_DIM = 4096        # umt5-xxl width, fixed in WanModel
CLIP_VISION_DIM = 1280  # clip_vision_h, fixed in MLPProj
FREQ_DIM = 256
PATCH = (1, 2, 2)

def _block(p: str, dim: int, ffn_dim: int, image_embedding: bool) -> Shapes:
    s: Shapes = {f"{p}modulation": (1, 6, dim)}
    for n in "qkvo":
        s[f"{p}self_attn.{n}.weight"] = (dim, dim)
        s[f"{p}self_attn.{n}.bias"] = (dim,)
    s[f"{p}self_attn.norm_q.weight"] = (dim,)
    s[f"{p}self_attn.norm_k.weight"] = (dim,)
    s[f"{p}norm3.weight"] = (dim,)
    s[f"{p}norm3.bias"] = (dim,)
    for n in "qkvo":
        s[f"{p}cross_attn.{n}.weight"] = (dim, dim)
        s[f"{p}cross_attn.{n}.bias"] = (dim,)
    s[f"{p}cross_attn.norm_q.weight"] = (dim,)
    s[f"{p}cross_attn.norm_k.weight"] = (dim,)
    if image_embedding:  # WanI2VCrossAttention
        for n in ("k_img", "v_img"):
            s[f"{p}cross_attn.{n}.weight"] = (dim, dim)
            s[f"{p}cross_attn.{n}.bias"] = (dim,)
        s[f"{p}cross_attn.norm_k_img.weight"] = (dim,)
    s[f"{p}ffn.0.weight"] = (ffn_dim, dim)
    s[f"{p}ffn.0.bias"] = (ffn_dim,)
    s[f"{p}ffn.2.weight"] = (dim, ffn_dim)
    s[f"{p}ffn.2.bias"] = (dim,)
    return s


def wan_tensor_shapes(dim: int, ffn_dim: int, num_layers: int, in_dim: int, out_dim: int, *,
                      image_embedding: bool = False, vace_layers: int = 0, vace_in_dim: int = 96) -> Shapes:
    """Every key of WanModel / VaceWanModel with its shape, in module order.

    Real Wan-2.1-14B T2V: wan_tensor_shapes(5120, 13824, 40, 16, 16).
    """
    pt, ph, pw = PATCH
    s: Shapes = {
        "patch_embedding.weight": (dim, in_dim, pt, ph, pw),
        "patch_embedding.bias": (dim,),
        "text_embedding.0.weight": (dim, TEXT_DIM), "text_embedding.0.bias": (dim,),
        "text_embedding.2.weight": (dim, dim), "text_embedding.2.bias": (dim,),
        "time_embedding.0.weight": (dim, FREQ_DIM), "time_embedding.0.bias": (dim,),
        "time_embedding.2.weight": (dim, dim), "time_embedding.2.bias": (dim,),
        "time_projection.1.weight": (dim * 6, dim), "time_projection.1.bias": (dim * 6,),
    }
    for i in range(num_layers):
        s.update(_block(f"blocks.{i}.", dim, ffn_dim, image_embedding))
    s["head.modulation"] = (1, 2, dim)
    s["head.head.weight"] = (out_dim * pt * ph * pw, dim)
    s["head.head.bias"] = (out_dim * pt * ph * pw,)
    if image_embedding:  # MLPProj: LayerNorm, Linear, GELU, Linear, LayerNorm
        s.update({
            "img_emb.proj.0.weight": (CLIP_VISION_DIM,), "img_emb.proj.0.bias": (CLIP_VISION_DIM,),
            "img_emb.proj.1.weight": (CLIP_VISION_DIM, CLIP_VISION_DIM), "img_emb.proj.1.bias": (CLIP_VISION_DIM,),
            "img_emb.proj.3.weight": (dim, CLIP_VISION_DIM), "img_emb.proj.3.bias": (dim,),
            "img_emb.proj.4.weight": (dim,), "img_emb.proj.4.bias": (dim,),
        })
    if vace_layers:
        if vace_layers > num_layers:
            raise ValueError("VACE needs vace_layers <= num_layers (vace_layers_mapping steps by num_layers // vace_layers)")
        for i in range(vace_layers):
            p = f"vace_blocks.{i}."
            s.update(_block(p, dim, ffn_dim, False))
            if i == 0:
                s[f"{p}before_proj.weight"] = (dim, dim)
                s[f"{p}before_proj.bias"] = (dim,)
            s[f"{p}after_proj.weight"] = (dim, dim)
            s[f"{p}after_proj.bias"] = (dim,)
        s["vace_patch_embedding.weight"] = (dim, vace_in_dim, pt, ph, pw)
        s["vace_patch_embedding.bias"] = (dim,)
    return s

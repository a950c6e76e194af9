"""Wan 2.1 / 2.2 state-dict layout (comfy/ldm/wan/model.py: WanModel, VaceWanModel) and the tiny Wan variants.

Detection reads dim, ffn_dim, in/out channels and block counts from the file; head size is fixed at 128, so
the tiny models use dim 128 (one head). text_dim 4096 and the CLIP-vision width 1280 are constructor constants.
"""
from __future__ import annotations

from .spec import Conditioning, Shapes, VariantSpec

TEXT_DIM = 4096        # umt5-xxl width, fixed in WanModel
CLIP_VISION_DIM = 1280  # clip_vision_h, fixed in MLPProj
FREQ_DIM = 256
PATCH = (1, 2, 2)

# The tiny size every variant uses.
TINY_DIM, TINY_FFN, TINY_LAYERS = 128, 256, 1


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


# Conv3d patch embeddings are created with dtype=float32 by WanModel whatever the model dtype.
KEEP_FP32 = frozenset({"patch_embedding.weight", "patch_embedding.bias",
                       "vace_patch_embedding.weight", "vace_patch_embedding.bias"})

_LATENT = (1, 16, 2, 8, 8)       # 5 frames of 64x64 through the Wan 2.1 VAE (8x spatial, 4x temporal)
_CONTEXT = (1, 64, TEXT_DIM)     # real umt5 output is padded to 512 tokens; 64 keeps CPU sampling quick
_CLIP_VISION = {"penultimate_hidden_states": (1, 257, CLIP_VISION_DIM)}


def _tiny(in_dim: int, out_dim: int = 16, **kw):
    return lambda: wan_tensor_shapes(TINY_DIM, TINY_FFN, TINY_LAYERS, in_dim, out_dim, **kw)


def _spec(id, config_class, stem, shapes_fn, extra=None, latent=_LATENT, expected=None, expert=None):
    return VariantSpec(
        id=id, family="wan", expected_variant=expected or id, comfy_config_class=config_class,
        file_stem=stem, conditioning=Conditioning(context=_CONTEXT, pooled=None, latent=latent, extra=extra or {}),
        shapes_fn=shapes_fn, expert=expert, keep_fp32=KEEP_FP32)


VARIANTS = [
    _spec("wan21_t2v", "WAN21_T2V", "wan2.1_t2v_1.3B_tiny", _tiny(16)),
    _spec("wan21_i2v", "WAN21_I2V", "wan2.1_i2v_480p_14B_tiny", _tiny(36, image_embedding=True),
          extra={"clip_vision_output": _CLIP_VISION,
                 "concat_latent_image": (1, 16, 2, 8, 8), "concat_mask": (1, 1, 2, 8, 8)}),
    _spec("wan21_vace", "WAN21_Vace", "wan2.1_vace_1.3B_tiny", _tiny(16, vace_layers=1),
          extra={"vace_frames": [(1, 32, 2, 8, 8)], "vace_mask": [(1, 64, 2, 8, 8)], "vace_strength": [1.0]}),
    # Fun-Control: 16 noise + 16 control + 16 reference-image channels, plus CLIP vision.
    _spec("wan21_fun_control", "WAN21_FunControl2V", "wan2.1_fun_control_1.3B_tiny", _tiny(48, image_embedding=True),
          extra={"clip_vision_output": _CLIP_VISION, "concat_latent_image": (1, 32, 2, 8, 8)}),
    _spec("wan22_ti2v_5b", "WAN22_T2V", "wan2.2_ti2v_5B_tiny", _tiny(48, 48), latent=(1, 48, 2, 8, 8)),
    _spec("wan22_a14b_t2v_high_noise", "WAN21_T2V", "wan2.2_t2v_high_noise_14B_tiny", _tiny(16),
          expected="wan22_a14b_t2v", expert="high_noise"),
    _spec("wan22_a14b_t2v_low_noise", "WAN21_T2V", "wan2.2_t2v_low_noise_14B_tiny", _tiny(16),
          expected="wan22_a14b_t2v", expert="low_noise"),
    # A14B I2V and 2.2 Fun-Inpaint: 16 noise + 4 mask + 16 image by channel concat, no CLIP vision.
    _spec("wan22_a14b_i2v", "WAN21_T2V", "wan2.2_i2v_high_noise_14B_tiny", _tiny(36),
          extra={"concat_latent_image": (1, 16, 2, 8, 8), "concat_mask": (1, 1, 2, 8, 8)}, expert="high_noise"),
]

"""Wan 2.1 / 2.2 state-dict layout (comfy/ldm/wan/model.py: WanModel, VaceWanModel) and the tiny Wan variants.

Detection reads dim, ffn_dim, in/out channels and block counts from the file; head size is fixed at 128, so
the tiny models use dim 128 (one head). text_dim 4096 and the CLIP-vision width 1280 are constructor constants.
"""
from __future__ import annotations

from .spec import Conditioning, Shapes, VariantSpec

# The layout table is production code now (the loader validates files against it).
from model_loaders.families.wan.keys import CLIP_VISION_DIM, FREQ_DIM, PATCH, TEXT_DIM, wan_tensor_shapes  # noqa: F401

# The tiny size every variant uses.
TINY_DIM, TINY_FFN, TINY_LAYERS = 128, 256, 1


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

"""HunyuanVideo 1.0 / 1.5 state-dict layout (comfy/ldm/hunyuan_video/model.py) and the tiny variants.

Head size is fixed at 128 (axes_dim 16+56+56), so the tiny models use hidden 128 (one head); mlp_ratio 4.
The token refiner always has 2 blocks. QK-norm scales are stored as `*_norm.scale`, as real files and ComfyUI 0.8's
module name them (ComfyUI 0.33's module calls them `.weight` and renames `_norm.scale` keys on load). 1.0 keeps `vector_in` (without it ComfyUI picks HunyuanImage21).
"""
from __future__ import annotations

from .spec import Conditioning, Shapes, VariantSpec

# The layout table is production code now (the loader validates files against it).
from model_loaders.families.hunyuan_video.keys import (BYT5_DIM, VECTOR_DIM, VISION_DIM,  # noqa: F401
                                                       hunyuan_video_tensor_shapes)

TINY_HIDDEN = 128


def _v10(in_channels: int):
    return lambda: hunyuan_video_tensor_shapes(TINY_HIDDEN, 1, 1, in_channels, 16, 4096)


def _v15(in_channels: int):
    return lambda: hunyuan_video_tensor_shapes(TINY_HIDDEN, 1, 1, in_channels, 32, 3584, patch=(1, 1, 1),
                                               vector_in=False, guidance_in=False, byt5=True, vision_in=True,
                                               cond_type_embedding=True)


# nn.Embedding (not Linear), created in fp32 by HunyuanVideo whatever the model dtype.
_KEEP_FP32_15 = frozenset({"cond_type_embedding.weight"})
_NOT_LINEAR_15 = frozenset({"cond_type_embedding.weight"})

_COND_10 = dict(context=(1, 32, 4096), pooled=(1, VECTOR_DIM), latent=(1, 16, 2, 8, 8), pooled_key_required=True,
                cfg=1.0)
_COND_15 = dict(context=(1, 32, 3584), pooled=None, latent=(1, 32, 2, 4, 4), pooled_key_required=True)
_EXTRA_15 = {"conditioning_byt5small": (1, 8, BYT5_DIM),
             "clip_vision_output": {"last_hidden_state": (1, 729, VISION_DIM)}}

VARIANTS = [
    VariantSpec("hunyuan_video_t2v", "hunyuan_video", "hunyuan_video_t2v", "HunyuanVideo",
                "hunyuan_video_t2v_720p_tiny", Conditioning(**_COND_10, extra={"guidance": 6.0}), _v10(16)),
    VariantSpec("hunyuan_video_i2v_concat", "hunyuan_video", "hunyuan_video_i2v_concat", "HunyuanVideoI2V",
                "hunyuan_video_image_to_video_720p_tiny",
                Conditioning(**_COND_10, extra={"guidance": 6.0, "concat_latent_image": (1, 16, 2, 8, 8),
                                                "concat_mask": (1, 1, 2, 8, 8)}), _v10(33)),
    # "v2 replace": the 16-channel layout of T2V; the image is written into the latent (guiding frame 0).
    VariantSpec("hunyuan_video_i2v_replace", "hunyuan_video", "hunyuan_video_i2v_replace",
                "HunyuanVideo", "hunyuan_video_v2_replace_image_to_video_720p_tiny",
                Conditioning(**_COND_10, extra={"guidance": 6.0, "guiding_frame_index": 0}), _v10(16)),
    VariantSpec("hunyuan_video_15", "hunyuan_video", "hunyuan_video_15", "HunyuanVideo15",
                "hunyuanvideo1.5_720p_i2v_tiny",
                Conditioning(**_COND_15, extra={**_EXTRA_15, "concat_latent_image": (1, 32, 2, 4, 4),
                                                "concat_mask": (1, 1, 2, 4, 4)}),
                _v15(65), keep_fp32=_KEEP_FP32_15, not_linear=_NOT_LINEAR_15),
    # Super-resolution: 32 noise + 66 (LQ latent, mask, ...) concat channels.
    VariantSpec("hunyuan_video_15_sr", "hunyuan_video", "hunyuan_video_15_sr", "HunyuanVideo15_SR_Distilled",
                "hunyuanvideo1.5_1080p_sr_distilled_tiny",
                Conditioning(**_COND_15, extra={**_EXTRA_15, "concat_latent_image": (1, 66, 2, 4, 4)}),
                _v15(98), keep_fp32=_KEEP_FP32_15, not_linear=_NOT_LINEAR_15),
]

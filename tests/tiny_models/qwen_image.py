"""Qwen-Image state-dict layout (comfy/ldm/qwen_image/model.py: QwenImageTransformer2DModel).

ComfyUI reads only in_channels and the block count from the file; the width (24 heads x 128 = 3072),
joint_attention_dim 3584 and the MLP ratio are constructor constants. So the smallest loadable model is
one full-width block: about 380 M parameters.
"""
from __future__ import annotations

from .spec import Conditioning, Shapes, VariantSpec

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


_LATENT = (1, 16, 1, 8, 8)   # a 64x64 image as a one-frame Wan 2.1 latent (ComfyUI's 5-D form)
_CONTEXT = (1, 32, JOINT_ATTENTION_DIM)
_EDIT = {"reference_latents": [(1, 16, 1, 8, 8)]}
_NOT_LINEAR = frozenset({"time_text_embed.addition_t_embedding.weight"})


def _spec(id, stem, shapes_fn, extra=None, same_weights_as=None):
    return VariantSpec(id=id, family="qwen_image", expected_variant=id, comfy_config_class="QwenImage",
                       file_stem=stem, conditioning=Conditioning(_CONTEXT, None, _LATENT, extra or {}),
                       shapes_fn=shapes_fn, not_linear=_NOT_LINEAR, same_weights_as=same_weights_as, large=True)


VARIANTS = [
    _spec("qwen_image", "qwen_image_tiny", lambda: qwen_image_tensor_shapes(1)),
    # Edit and Edit-2509 have exactly the base layout: only the file name tells them apart.
    _spec("qwen_image_edit", "qwen_image_edit_tiny", lambda: qwen_image_tensor_shapes(1), _EDIT, "qwen_image"),
    _spec("qwen_image_edit_2509", "qwen_image_edit_2509_tiny", lambda: qwen_image_tensor_shapes(1), _EDIT,
          "qwen_image"),
    _spec("qwen_image_edit_2511", "qwen_image_edit_2511_tiny",
          lambda: qwen_image_tensor_shapes(1, index_timestep_zero=True),
          {**_EDIT, "reference_latents_method": "index_timestep_zero"}),
    _spec("qwen_image_layered", "qwen_image_layered_tiny", lambda: qwen_image_tensor_shapes(1, additional_t_cond=True)),
]

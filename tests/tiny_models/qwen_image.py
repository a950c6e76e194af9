"""Qwen-Image state-dict layout (comfy/ldm/qwen_image/model.py: QwenImageTransformer2DModel).

ComfyUI reads only in_channels and the block count from the file; the width (24 heads x 128 = 3072),
joint_attention_dim 3584 and the MLP ratio are constructor constants. So the smallest loadable model is
one full-width block: about 380 M parameters.
"""
from __future__ import annotations

from .spec import Conditioning, Shapes, VariantSpec

# The layout table is production code now (the loader validates files against it).
from model_loaders.families.qwen_image.keys import (HEAD_DIM, INNER_DIM, JOINT_ATTENTION_DIM,  # noqa: F401
                                                    OUT_CHANNELS, PATCH, qwen_image_tensor_shapes)


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

"""NewBie-image state-dict layout: Lumina2 NextDiT at dim 2304 plus clip_text_pooled_proj (comfy/ldm/lumina/model.py).

ComfyUI only configures NextDiT for dim 2304 (or 3840, Z-Image), so the width cannot shrink: one layer plus
the fixed 2 noise_refiner + 2 context_refiner blocks is about 430 M parameters.
"""
from __future__ import annotations

from .spec import Conditioning, Shapes, VariantSpec

# The layout table is production code now (the loader validates files against it).
from model_loaders.families.newbie.keys import (ADALN_DIM, CAP_FEAT_DIM, CLIP_TEXT_DIM, DIM, FFN_DIM,  # noqa: F401
                                                HEAD_DIM, IN_CHANNELS, N_HEADS, N_KV_HEADS, PATCH, newbie_tensor_shapes)


VARIANTS = [
    VariantSpec(id="newbie", family="newbie", expected_variant="newbie", comfy_config_class="Lumina2",
                file_stem="NewBie-Image-Exp0.1_tiny",
                conditioning=Conditioning(context=(1, 32, CAP_FEAT_DIM), pooled=(1, CLIP_TEXT_DIM),
                                          latent=(1, 16, 8, 8)),
                shapes_fn=lambda: newbie_tensor_shapes(1), large=True),
]

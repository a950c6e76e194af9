"""Wan: the official ComfyUI templates' sampling values per variant, and the quality priors (plain data).

Keys are the variant ids of DECLARATIONS; "variant/capability" holds only what that capability's template
changes. Values are the templates' effective values without the optional speed LoRAs
(shared/reference/comfyui-recipes.md §0-§1; it corrects comfyui-families.md §4.2: Wan 2.2 A14B uses shift 5).
"""
_UNI_PC = dict(sampler="uni_pc", scheduler="simple")
_A14B = dict(shift=5, steps=20, cfg=3.5, sampler="euler", scheduler="simple", width=640, height=640, frames=81,
             expert_split_step=10)
_SINGLE_FRAME = dict(frames=1)  # text_to_image: the video model renders one frame

TEMPLATE_DEFAULTS = {
    "wan21_t2v": dict(shift=8, steps=30, cfg=6, width=832, height=480, frames=33, **_UNI_PC),
    "wan21_t2v/text_to_image": _SINGLE_FRAME,
    # Wan-Alpha: shift 5, 20 / 6 / uni_pc / simple, 832x480x33 (video_wan2.1_alpha_t2v_14B, without lightx2v).
    "wan21_t2v/alpha_video": dict(shift=5, steps=20, cfg=6, width=832, height=480, frames=33),
    "wan21_i2v": dict(shift=8, steps=20, cfg=6, width=512, height=512, frames=33, **_UNI_PC),
    # VACE templates run the CausVid LoRA (cfg 1, 4-6 steps); without it the templates' values are 20 / 6.
    "wan21_vace": dict(shift=8, steps=20, cfg=6, width=1280, height=720, frames=81, **_UNI_PC),
    "wan21_vace/image_to_video": dict(width=768, height=768),            # the ref2v template
    "wan21_vace/video_inpainting": dict(shift=5, width=720, height=720),  # masked VACE inpainting
    # No Fun-Control template in the reference: the Wan 2.1 I2V values.
    "wan21_fun_control": dict(shift=8, steps=20, cfg=6, width=512, height=512, frames=33, **_UNI_PC),
    "wan22_ti2v_5b": dict(shift=8, steps=20, cfg=5, width=1280, height=704, frames=121, **_UNI_PC),
    "wan22_ti2v_5b/text_to_image": _SINGLE_FRAME,
    "wan22_a14b_t2v": dict(_A14B),
    "wan22_a14b_t2v/text_to_image": _SINGLE_FRAME,
    # Also Fun-Inpaint A14B's in-betweening (image_to_video with an end_image), whose template has shift 8: one
    # variant, one set of values, the I2V template's.
    "wan22_a14b_i2v": dict(_A14B),
}

# Judgements, not measurements: the router multiplies them by the measured success rate.
QUALITY_PRIORS = {"text_to_video": 0.85, "image_to_video": 0.85, "video_inpainting": 0.80, "text_to_image": 0.60,
                  "alpha_video": 0.75}

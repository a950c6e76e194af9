"""HunyuanVideo: the variants, what each one serves and which companion files it needs."""
from ..base import OptionalModel, VariantDeclaration

FAMILY = "hunyuan_video"
DISPLAY_NAME = "HunyuanVideo"
VARIANTS = {
    "hunyuan_video_t2v": "HunyuanVideo 1.0 T2V",
    "hunyuan_video_i2v_concat": "HunyuanVideo 1.0 I2V (v1, concat)",
    "hunyuan_video_i2v_replace": "HunyuanVideo 1.0 I2V (v2, replace)",
    "hunyuan_video_skyreels_i2v": "SkyReels I2V (HunyuanVideo 1.0)",
    "hunyuan_video_15": "HunyuanVideo 1.5",
    "hunyuan_video_15_sr": "HunyuanVideo 1.5 super-resolution (distilled)",
}

# What each variant serves and needs.
# 1.0: clip-l (pooled) + llava-llama-3-8B; the LLaVA vision tower is optional: it is for the text encoder's image
# prompt (TextEncodeHunyuanVideo_ImageToVideo). 1.5: Qwen2.5-VL-7B + ByT5 glyph; SigLIP vision is optional.
_V10 = dict(text_encoders=("clip_l", "llama3_8b_llava"), vae="hunyuan_video_vae", clip_type="hunyuan_video",
            workflow_type="video")
_V10_I2V = dict(_V10, clip_vision="llava_llama3_vision", clip_vision_required=False)
_SR = {"sr_model": OptionalModel("hunyuan_video_15_sr", ("super_resolution",),
                                "hunyuanvideo1.5_1080p_sr_distilled_fp16.safetensors")}
_V15 = dict(text_encoders=("qwen25_7b_vl", "byt5_small_glyph"), vae="hunyuan_video_15_vae",
            clip_type="hunyuan_video_15", clip_vision="siglip_384", clip_vision_required=False, workflow_type="video")
DECLARATIONS = {
    "hunyuan_video_t2v": VariantDeclaration(("text_to_video",), overridable_to=("hunyuan_video_i2v_replace",), **_V10),
    "hunyuan_video_i2v_concat": VariantDeclaration(("image_to_video",), **_V10_I2V),
    "hunyuan_video_i2v_replace": VariantDeclaration(("image_to_video",), overridable_to=("hunyuan_video_t2v",),
                                                    **_V10_I2V),
    "hunyuan_video_skyreels_i2v": VariantDeclaration(("image_to_video",), **_V10_I2V),
    # The loader also takes the (optional) 1.5 super-resolution model as "sr_model".
    "hunyuan_video_15": VariantDeclaration(("text_to_video", "image_to_video"), optional_models=_SR, **_V15),
    "hunyuan_video_15_sr": VariantDeclaration(("super_resolution",), optional_models=_SR, **_V15),
}

# Text-encoder widths that must equal what the diffusion model reads from its own file (kind -> architecture key).
TEXT_ENCODER_WIDTHS = {"llama3_8b_llava": "context_dim", "qwen25_7b_vl": "context_dim"}

"""HunyuanVideo: the variants, what each one serves and which companion files it needs."""
from ..base import OptionalCompanion, OptionalModel, ReleaseFile, VariantDeclaration

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
# Super resolution needs both: the SR model ("sr_model") and the latent upsampler that takes the low-resolution latent
# to the output size (LatentUpscaleModelLoader's file, a companion input).
_SR = {"sr_model": OptionalModel("hunyuan_video_15_sr", ("super_resolution",),
                                "hunyuanvideo1.5_1080p_sr_distilled_fp16.safetensors")}
UPSAMPLER_FILE = "hunyuanvideo15_latent_upsampler_1080p.safetensors"
_UPSAMPLER = {"latent_upsampler": OptionalCompanion(
    "latent_upscale_model", "hunyuan_video_15_latent_upsampler_1080p", "latent_upscale_models", ("super_resolution",),
    "HunyuanVideo 1.5 only: the latent upsampler of the super-resolution stage, e.g. "
    "hunyuanvideo15_latent_upsampler_1080p (models/latent_upscale_models); super_resolution needs it and "
    "sr_model_name.", UPSAMPLER_FILE)}
_V15 = dict(text_encoders=("qwen25_7b_vl", "byt5_small_glyph"), vae="hunyuan_video_15_vae",
            clip_type="hunyuan_video_15", clip_vision="siglip_384", clip_vision_required=False, workflow_type="video")
DECLARATIONS = {
    "hunyuan_video_t2v": VariantDeclaration(("text_to_video",), overridable_to=("hunyuan_video_i2v_replace",), **_V10),
    "hunyuan_video_i2v_concat": VariantDeclaration(("image_to_video",), **_V10_I2V),
    "hunyuan_video_i2v_replace": VariantDeclaration(("image_to_video",), overridable_to=("hunyuan_video_t2v",),
                                                    **_V10_I2V),
    "hunyuan_video_skyreels_i2v": VariantDeclaration(("image_to_video",), **_V10_I2V),
    # The loader also takes the (optional) 1.5 super-resolution model as "sr_model" and its latent upsampler; with
    # both, 1.5 serves super_resolution of given frames or of its own text-to-video. The SR model alone (no 1.5
    # model) upscales given frames only.
    "hunyuan_video_15": VariantDeclaration(("text_to_video", "image_to_video"), optional_models=_SR,
                                           companions=_UPSAMPLER, **_V15),
    "hunyuan_video_15_sr": VariantDeclaration((), optional_models=_SR, companions=_UPSAMPLER, **_V15),
}

# Text-encoder widths that must equal what the diffusion model reads from its own file (kind -> architecture key).
TEXT_ENCODER_WIDTHS = {"llama3_8b_llava": "context_dim", "qwen25_7b_vl": "context_dim"}

_H10 = "https://huggingface.co/Comfy-Org/HunyuanVideo_repackaged/resolve/main/split_files/"
_H15 = "https://huggingface.co/Comfy-Org/HunyuanVideo_1.5_repackaged/resolve/main/split_files/"
_T2V10 = "hunyuan_video_text_to_video.json"
_CLIP_L = ReleaseFile("clip_l.safetensors", "text_encoders",
                      "https://huggingface.co/comfyanonymous/flux_text_encoders/resolve/main/clip_l.safetensors",
                      "flux1_krea_dev.json")
_LLAVA = ReleaseFile("llava_llama3_fp8_scaled.safetensors", "text_encoders",
                     _H10 + "text_encoders/llava_llama3_fp8_scaled.safetensors?download=true", _T2V10)
_VAE10 = ReleaseFile("hunyuan_video_vae_bf16.safetensors", "vae",
                     _H10 + "vae/hunyuan_video_vae_bf16.safetensors?download=true", _T2V10)
# No official template lists the 1.0 I2V models or their vision encoder: names only (Comfy-Org/HunyuanVideo_repackaged).
_LLAVA_VISION = ReleaseFile("llava_llama3_vision.safetensors", "clip_vision", optional=True)
_T2V15 = "video_hunyuan_video_1.5_720p_t2v.json"
_QWEN_VL = ReleaseFile("qwen_2.5_vl_7b_fp8_scaled.safetensors", "text_encoders",
                       _H15 + "text_encoders/qwen_2.5_vl_7b_fp8_scaled.safetensors", _T2V15)
_BYT5 = ReleaseFile("byt5_small_glyphxl_fp16.safetensors", "text_encoders",
                    _H15 + "text_encoders/byt5_small_glyphxl_fp16.safetensors", _T2V15)
_VAE15 = ReleaseFile("hunyuanvideo15_vae_fp16.safetensors", "vae", _H15 + "vae/hunyuanvideo15_vae_fp16.safetensors",
                     _T2V15)
_SIGCLIP = ReleaseFile("sigclip_vision_patch14_384.safetensors", "clip_vision",
                       _H15 + "clip_vision/sigclip_vision_patch14_384.safetensors",
                       "Image_capybara_v0_1_image_edit.json", optional=True)
_SR = ReleaseFile("hunyuanvideo1.5_1080p_sr_distilled_fp16.safetensors", "diffusion_models",
                  _H15 + "diffusion_models/hunyuanvideo1.5_1080p_sr_distilled_fp16.safetensors",
                  _T2V15, optional=True)
_UPSAMPLER_RELEASE = ReleaseFile(UPSAMPLER_FILE, "latent_upscale_models",
                                 _H15 + "latent_upscale_models/" + UPSAMPLER_FILE, _T2V15, optional=True)


def _model15(name: str, template: str) -> ReleaseFile:
    return ReleaseFile(name, "diffusion_models", _H15 + "diffusion_models/" + name, template)


# The official release files of each variant, as ComfyUI's official templates list them (the template named in each).
RELEASES = {
    "hunyuan_video_t2v": (ReleaseFile("hunyuan_video_t2v_720p_bf16.safetensors", "diffusion_models",
                                      _H10 + "diffusion_models/hunyuan_video_t2v_720p_bf16.safetensors"
                                      "?download=true", _T2V10),
                          _CLIP_L, _LLAVA, _VAE10),
    "hunyuan_video_i2v_concat": (ReleaseFile("hunyuan_video_image_to_video_720p_bf16.safetensors", "diffusion_models"),
                                 _CLIP_L, _LLAVA, _VAE10, _LLAVA_VISION),
    "hunyuan_video_i2v_replace": (ReleaseFile("hunyuan_video_v2_replace_image_to_video_720p_bf16.safetensors",
                                              "diffusion_models"), _CLIP_L, _LLAVA, _VAE10, _LLAVA_VISION),
    "hunyuan_video_15": (_model15("hunyuanvideo1.5_720p_t2v_fp16.safetensors", _T2V15),
                         _QWEN_VL, _BYT5, _VAE15, _SIGCLIP, _SR, _UPSAMPLER_RELEASE),
}

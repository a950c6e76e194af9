"""Wan: the variants, what each one serves and which companion files it needs."""
from ..base import CapabilityLora, OptionalCompanion, ReleaseFile, VariantDeclaration

FAMILY = "wan"
DISPLAY_NAME = "Wan"
VARIANTS = {
    "wan21_t2v": "Wan 2.1 T2V",
    "wan21_i2v": "Wan 2.1 I2V (also FLF2V and Fun-InP 2.1)",
    "wan21_vace": "Wan 2.1 VACE",
    "wan21_fun_control": "Wan 2.1 Fun-Control",
    "wan22_ti2v_5b": "Wan 2.2 TI2V-5B",
    "wan22_a14b_t2v": "Wan 2.2 A14B T2V",
    "wan22_a14b_i2v": "Wan 2.2 A14B I2V or Fun-Inpaint",
}

# What each variant serves and needs. The text-to-video models also render text_to_image as a single frame.
_TE = dict(text_encoders=("umt5_xxl",), clip_type="wan", workflow_type="video")
# Wan-Alpha (the video_wan2.1_alpha_t2v_14B template): Wan 2.1 T2V 14B with its RGBA LoRA; the latent is decoded by
# the RGB-channel VAE (the workflow's vae) and by the alpha-channel VAE, both Wan 2.1 VAE layouts.
# Recognised by its header (a Wan LoRA that fits the model) and its name ("wan_alpha..." or "...rgba...").
ALPHA_LORA = CapabilityLora("alpha_video", r"wan[_\-. ]?alpha|rgba", "wan_alpha_2.1_rgba_lora.safetensors")
ALPHA_VAE_FILE = "wan_alpha_2.1_vae_alpha_channel.safetensors"
RGB_VAE_FILE = "wan_alpha_2.1_vae_rgb_channel.safetensors"
_ALPHA_VAE = {"alpha_vae": OptionalCompanion(
    "vae", "wan21_vae", "vae", ("alpha_video",), example_file=ALPHA_VAE_FILE,
    tooltip=(f"Wan-Alpha only (Wan 2.1 T2V + the {ALPHA_LORA.example_file} LoRA): the alpha-channel VAE "
             f"({ALPHA_VAE_FILE}, models/vae) that decodes the transparency; give {RGB_VAE_FILE} as vae. "
             f"'none' for every other Wan workflow."))}
DECLARATIONS = {
    "wan21_t2v": VariantDeclaration(("text_to_video", "text_to_image"), vae="wan21_vae",
                                    overridable_to=("wan22_a14b_t2v",), capability_loras=(ALPHA_LORA,),
                                    companions=_ALPHA_VAE, **_TE),
    "wan21_i2v": VariantDeclaration(("image_to_video",), vae="wan21_vae", clip_vision="clip_vision_h",
                                    clip_vision_required=True, **_TE),
    "wan21_vace": VariantDeclaration(("video_inpainting", "text_to_video", "image_to_video"), vae="wan21_vae", **_TE),
    "wan21_fun_control": VariantDeclaration(("image_to_video",), vae="wan21_vae", clip_vision="clip_vision_h",
                                            clip_vision_required=True, **_TE),
    # The Wan 2.2 VAE compresses 16x (patch 2): sizes step by 32.
    "wan22_ti2v_5b": VariantDeclaration(("text_to_video", "image_to_video", "text_to_image"), vae="wan22_vae",
                                        resolution_multiple=32, **_TE),
    "wan22_a14b_t2v": VariantDeclaration(("text_to_video", "text_to_image"), vae="wan21_vae",
                                         overridable_to=("wan21_t2v",), model_roles=("high_noise", "low_noise"),
                                         example_file="wan2.2_t2v_high_noise_14B_fp8_scaled.safetensors", **_TE),
    # A14B I2V and 2.2 Fun-Inpaint share this layout (image by channel concat, no CLIP vision). Fun-Inpaint is
    # first/last-frame in-betweening (image_to_video with an end_image), not masked inpainting (that is VACE).
    "wan22_a14b_i2v": VariantDeclaration(("image_to_video",), vae="wan21_vae",
                                         model_roles=("high_noise", "low_noise"),
                                         example_file="wan2.2_i2v_high_noise_14B_fp8_scaled.safetensors", **_TE),
}

# Text-encoder widths the diffusion model reads from its own file (kind -> architecture key): none for Wan, whose
# UMT5 width is fixed in ComfyUI's module.
TEXT_ENCODER_WIDTHS: dict[str, str] = {}

_W21 = "https://huggingface.co/Comfy-Org/Wan_2.1_ComfyUI_repackaged/resolve/main/split_files/"
_W22 = "https://huggingface.co/Comfy-Org/Wan_2.2_ComfyUI_Repackaged/resolve/main/split_files/"
_UMT5 = ReleaseFile("umt5_xxl_fp8_e4m3fn_scaled.safetensors", "text_encoders",
                    _W21 + "text_encoders/umt5_xxl_fp8_e4m3fn_scaled.safetensors", "image_to_video_wan.json")
_VAE21 = ReleaseFile("wan_2.1_vae.safetensors", "vae", _W21 + "vae/wan_2.1_vae.safetensors", "image_to_video_wan.json")
_VAE22 = ReleaseFile("wan2.2_vae.safetensors", "vae", _W22 + "vae/wan2.2_vae.safetensors", "video_wan2_2_5B_ti2v.json")
_CLIP_H = ReleaseFile("clip_vision_h.safetensors", "clip_vision", _W21 + "clip_vision/clip_vision_h.safetensors",
                      "image_to_video_wan.json")


def _model(name: str, base: str, template: str, query: str = "") -> ReleaseFile:
    return ReleaseFile(name, "diffusion_models", base + "diffusion_models/" + name + query, template)


# The official release files of each variant (one model file per expert where there are two), as ComfyUI's official
# templates list them (the template named in each).
RELEASES = {
    "wan21_t2v": (_model("wan2.1_t2v_14B_fp8_scaled.safetensors", _W21, "video_wan2.1_alpha_t2v_14B.json"),
                  _UMT5, _VAE21),
    "wan21_i2v": (_model("wan2.1_i2v_480p_14B_fp16.safetensors", _W21, "image_to_video_wan.json"), _UMT5, _VAE21,
                  _CLIP_H),
    "wan21_vace": (_model("wan2.1_vace_14B_fp16.safetensors", _W21, "video_wan_vace_14B_t2v.json"), _UMT5, _VAE21),
    "wan21_fun_control": (_model("wan2.1_fun_control_1.3B_bf16.safetensors", _W21, "wan2.1_fun_control.json",
                                 "?download=true"),
                          _UMT5, _VAE21, _CLIP_H),
    "wan22_ti2v_5b": (_model("wan2.2_ti2v_5B_fp16.safetensors", _W22, "video_wan2_2_5B_ti2v.json"), _UMT5, _VAE22),
    "wan22_a14b_t2v": (_model("wan2.2_t2v_high_noise_14B_fp8_scaled.safetensors", _W22, "video_wan2_2_14B_t2v.json"),
                       _model("wan2.2_t2v_low_noise_14B_fp8_scaled.safetensors", _W22, "video_wan2_2_14B_t2v.json"),
                       _UMT5, _VAE21),
    "wan22_a14b_i2v": (_model("wan2.2_i2v_high_noise_14B_fp8_scaled.safetensors", _W22, "video_wan2_2_14B_i2v.json"),
                       _model("wan2.2_i2v_low_noise_14B_fp8_scaled.safetensors", _W22, "video_wan2_2_14B_i2v.json"),
                       _UMT5, _VAE21),
}

"""Wan: its loader node's file slots and how ComfyUI maps Wan LoRAs."""
import re

from ..base import FileSlot, LoaderSpec, LoraRules

LOADER = LoaderSpec(
    node_id="StoryCoreWanLoader",
    display_name="StoryCore Wan Loader",
    description=("Describes a Wan 2.1 / 2.2 workflow (T2V, I2V, VACE, Fun-Control, TI2V-5B, A14B; Wan-Alpha with its "
                 "LoRA and alpha_vae) from FP8 or 16-bit checkpoints. Every file is checked from its header before "
                 "anything loads."),
    model_slots=(
        FileSlot("model_name", "diffusion_models", "model",
                 "The Wan diffusion model (models/diffusion_models). For Wan 2.2 A14B: the high-noise expert."),
        FileSlot("low_noise_model_name", "diffusion_models", "low_noise",
                 "Wan 2.2 A14B only: the low-noise expert. 'none' for every other Wan model.", optional=True),
    ),
    text_encoder_slots=(FileSlot("text_encoder", "text_encoders", "text_encoder",
                                 "UMT5-XXL text encoder (models/text_encoders), e.g. "
                                 "umt5_xxl_fp8_e4m3fn_scaled.safetensors."),),
    vae_tooltip="wan_2.1_vae for Wan 2.1 and 2.2 A14B; wan2.2_vae for TI2V-5B (models/vae).",
    clip_vision_tooltip="clip_vision_h, needed by Wan 2.1 I2V / FLF2V / Fun-Control (models/clip_vision).",
    expert_pair=True,
)

_SEP = r"[._]"
# ComfyUI has no Wan branch in model_lora_keys_unet: only the generic diffusion_model.<m> and lora_unet_<m_> forms
# map (0.8 lora.py:179-185). Diffusers naming (blocks.N.attn1.to_q, ffn.net.0.proj) is mapped by no version.
LORA_RULES = LoraRules(
    module_pattern=re.compile(rf"^(vace_)?blocks{_SEP}\d+{_SEP}(self_attn|cross_attn|ffn{_SEP}[02])"),
    key_formats=("diffusion_model.", "lora_unet_"),
    unsupported_pattern=re.compile(rf"^blocks{_SEP}\d+{_SEP}(attn1|attn2|ffn{_SEP}net)"),
    unsupported_hint="use a ComfyUI-format Wan LoRA (diffusion_model.blocks.N... or lora_unet_blocks_N_...)",
)

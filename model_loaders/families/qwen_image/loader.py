"""Qwen-Image: its loader node's file slots and how ComfyUI maps Qwen-Image LoRAs."""
import re

from ..base import FileSlot, LoaderSpec, LoraRules

LOADER = LoaderSpec(
    node_id="StoryCoreQwenImageLoader",
    display_name="StoryCore Qwen-Image Loader",
    description=("Describes a Qwen-Image workflow: text-to-image, Edit / Edit-2509 / Edit-2511 (editing, "
                 "relighting with a LoRA) or Layered. Every file is checked from its header before anything loads."),
    model_slots=(FileSlot("model_name", "diffusion_models", "model",
                          "The Qwen-Image diffusion model (models/diffusion_models)."),),
    text_encoder_slots=(FileSlot("text_encoder", "text_encoders", "text_encoder",
                                 "Qwen2.5-VL-7B text encoder, e.g. qwen_2.5_vl_7b_fp8_scaled.safetensors "
                                 "(models/text_encoders)."),),
    vae_tooltip="qwen_image_vae.safetensors (models/vae).",
)

_SEP = r"[._]"
# comfy/lora.py, Qwen-Image branch (0.8 lora.py:306-314): bare <m>, transformer.<m> and lycoris_ keys too.
LORA_RULES = LoraRules(
    module_pattern=re.compile(rf"^transformer_blocks{_SEP}\d+{_SEP}(attn|img_mlp|txt_mlp|img_mod|txt_mod)"),
    key_formats=("diffusion_model.", "lora_unet_", "bare", "transformer.", "lycoris_"),
)

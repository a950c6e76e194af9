"""HunyuanVideo: its loader node's file slots and how ComfyUI maps HunyuanVideo LoRAs."""
import re

from ..base import FileSlot, LoaderSpec, LoraRules

LOADER = LoaderSpec(
    node_id="StoryCoreHunyuanVideoLoader",
    display_name="StoryCore HunyuanVideo Loader",
    description=("Describes a HunyuanVideo 1.0 (T2V, I2V) or 1.5 (T2V/I2V, optional super-resolution stage) "
                 "workflow. Every file is checked from its header before anything loads."),
    model_slots=(
        FileSlot("model_name", "diffusion_models", "model",
                 "The HunyuanVideo diffusion model (models/diffusion_models)."),
        FileSlot("sr_model_name", "diffusion_models", "sr_model",
                 "HunyuanVideo 1.5 only: the optional super-resolution model.", optional=True),
    ),
    text_encoder_slots=(
        FileSlot("text_encoder", "text_encoders", "text_encoder",
                 "1.0: clip_l.safetensors; 1.5: qwen_2.5_vl_7b (models/text_encoders)."),
        FileSlot("text_encoder_2", "text_encoders", "text_encoder_2",
                 "1.0: llava_llama3 (e.g. llava_llama3_fp8_scaled); 1.5: byt5_small_glyphxl (models/text_encoders)."),
    ),
    vae_tooltip="hunyuan_video_vae for 1.0; hunyuanvideo15_vae for 1.5 (models/vae).",
    clip_vision_tooltip=("Optional image encoder for I2V: llava_llama3_vision (1.0) or sigclip_vision_patch14_384 "
                         "(1.5)."),
)

_SEP = r"[._]"
# comfy/lora.py, HunyuanVideo branch (0.8 lora.py:274-284): transformer.<m> keys and these renames.
LORA_RULES = LoraRules(
    module_pattern=re.compile(rf"^(double_blocks|single_blocks){_SEP}\d+{_SEP}"),
    key_formats=("diffusion_model.", "lora_unet_", "transformer."),
    renames=(("_mod.linear.", "_mod.lin."), ("_attn_qkv.", "_attn.qkv."), ("_attn_proj.", "_attn.proj."),
             ("mlp.fc1.", "mlp.0."), ("mlp.fc2.", "mlp.2."), (".modulation.linear.", ".modulation.lin.")),
    notes=("double_blocks/single_blocks keys: FLUX LoRAs use the same names",),
)

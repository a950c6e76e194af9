"""NewBie-image: its loader node's file slots and how ComfyUI maps NewBie (Lumina 2) LoRAs."""
import re

from ..base import FileSlot, LoaderSpec, LoraRules

LOADER = LoaderSpec(
    node_id="StoryCoreNewBieLoader",
    display_name="StoryCore NewBie Loader",
    description=("Describes a NewBie-image (anime) workflow. Every file is checked from its header before "
                 "anything loads."),
    model_slots=(FileSlot("model_name", "diffusion_models", "model",
                          "The NewBie-image diffusion model (models/diffusion_models)."),),
    text_encoder_slots=(
        FileSlot("text_encoder", "text_encoders", "text_encoder",
                 "Gemma-3-4B text encoder, e.g. gemma_3_4b_it_bf16 (models/text_encoders)."),
        FileSlot("text_encoder_2", "text_encoders", "text_encoder_2",
                 "Jina-CLIP-v2 text encoder, e.g. jina_clip_v2_bf16 (models/text_encoders)."),
    ),
    vae_tooltip="The FLUX VAE, ae.safetensors (models/vae).",
)

_SEP = r"[._]"
# comfy/lora.py, Lumina 2 branch (0.8 lora.py:316-323): transformer.<m> and lycoris_ keys too.
LORA_RULES = LoraRules(
    module_pattern=re.compile(rf"^(layers|noise_refiner|context_refiner){_SEP}\d+{_SEP}(attention|feed_forward|adaLN)"),
    key_formats=("diffusion_model.", "lora_unet_", "transformer.", "lycoris_"),
)

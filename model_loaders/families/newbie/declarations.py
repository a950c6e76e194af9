"""NewBie-image: the variants, what each one serves and which companion files it needs."""
from ..base import ReleaseFile, VariantDeclaration

FAMILY = "newbie"
DISPLAY_NAME = "NewBie-image"
VARIANTS = {"newbie": "NewBie-image"}

# What each variant serves and needs.
DECLARATIONS = {
    "newbie": VariantDeclaration(("anime_generation", "text_to_image"), workflow_type="image",
                                 text_encoders=("gemma3_4b", "jina_clip_v2"), vae="flux_vae", clip_type="newbie"),
}

# Text-encoder widths that must equal what the diffusion model reads from its own file (kind -> architecture key).
TEXT_ENCODER_WIDTHS = {"gemma3_4b": "context_dim", "jina_clip_v2": "pooled_dim"}

_NB = "https://huggingface.co/Comfy-Org/NewBie-image-Exp0.1_repackaged/resolve/main/split_files/"
_TEMPLATE = "image_newbieimage_exp0_1-t2i.json"
# The official release files, as ComfyUI's official template lists them.
RELEASES = {
    "newbie": (ReleaseFile("NewBie-Image-Exp0.1-bf16.safetensors", "diffusion_models",
                           _NB + "diffusion_models/NewBie-Image-Exp0.1-bf16.safetensors", _TEMPLATE),
               ReleaseFile("gemma_3_4b_it_bf16.safetensors", "text_encoders",
                           _NB + "text_encoders/gemma_3_4b_it_bf16.safetensors", _TEMPLATE),
               ReleaseFile("jina_clip_v2_bf16.safetensors", "text_encoders",
                           _NB + "text_encoders/jina_clip_v2_bf16.safetensors", _TEMPLATE),
               ReleaseFile("ae.safetensors", "vae",
                           "https://huggingface.co/Comfy-Org/z_image_turbo/resolve/main/split_files/vae/ae.safetensors",
                           _TEMPLATE)),
}

"""NewBie-image: the variants, what each one serves and which companion files it needs."""
from ..base import VariantDeclaration

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

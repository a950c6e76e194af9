"""A made-up fifth model family, "Zeta", as one folder: copied into model_loaders/families/ of a copy of the pack by
tests/comfyui/test_fifth_family.py to prove that adding a family touches no other file."""
import re

from ..base import FamilyMatch, FileSlot, LoaderSpec, LoraRules, VariantDeclaration

FAMILY = "zeta"
DISPLAY_NAME = "Zeta"
DETECTION_ORDER = 50
MARKER_KEY = "zeta_in.weight"
VARIANTS = {"zeta_v1": "Zeta 1"}
DECLARATIONS = {
    "zeta_v1": VariantDeclaration(("text_to_image",), workflow_type="image", text_encoders=("clip_l",),
                                  vae="flux_vae", clip_type="flux"),
}
TEXT_ENCODER_WIDTHS: dict[str, str] = {}
TEMPLATE_DEFAULTS = {"zeta_v1": dict(shift=3, steps=8, cfg=2, sampler="euler", scheduler="simple", width=512,
                                     height=512, shift_node="auraflow")}
QUALITY_PRIORS = {"text_to_image": 0.99}
LOADER = LoaderSpec(
    node_id="StoryCoreZetaLoader", display_name="StoryCore Zeta Loader", description="Describes a Zeta workflow.",
    model_slots=(FileSlot("model_name", "diffusion_models", "model", "The Zeta diffusion model."),),
    text_encoder_slots=(FileSlot("text_encoder", "text_encoders", "text_encoder", "CLIP-L."),),
    vae_tooltip="The FLUX VAE.",
)
LORA_RULES = LoraRules(module_pattern=re.compile(r"^zeta_blocks[._]\d+"), key_formats=("diffusion_model.",))
DIM = 64


def layout_shapes(blocks: int = 2) -> dict:
    shapes = {MARKER_KEY: (DIM, 16)}
    shapes.update({f"zeta_blocks.{i}.proj.weight": (DIM, DIM) for i in range(blocks)})
    return shapes


def detect(layout, file_name):
    if not layout.has(MARKER_KEY):
        return None
    architecture = {"dim": layout.shape(MARKER_KEY)[0], "num_layers": layout.count_blocks("zeta_blocks.")}
    return FamilyMatch(FAMILY, "zeta_v1", "Zeta", architecture)


def expected_layout(layout, match):
    return layout_shapes(layout.block_span("zeta_blocks.")), {}, {}

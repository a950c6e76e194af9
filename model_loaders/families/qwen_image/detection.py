"""Qwen-Image (base, Edit, Edit-2509, Edit-2511, Layered): detection rules (mirroring
comfy/model_detection.py, Qwen Image branch)."""
from ...layout import StateDictLayout
from ..base import FamilyMatch, name_has
from .declarations import FAMILY
from .keys import qwen_image_tensor_shapes

MARKER_KEY = "txt_norm.weight"
SAME_LAYOUT = ("qwen_image", "qwen_image_edit", "qwen_image_edit_2509")


def detect(layout: StateDictLayout, file_name: str) -> FamilyMatch | None:
    if not layout.has(MARKER_KEY) or not layout.has("img_in.weight"):
        return None
    # Models ComfyUI checks before Qwen that share txt_norm.weight: Lens (SwiGLU w1 MLP), Mage-Flow.
    if layout.has("transformer_blocks.0.img_mlp.w1.weight"):
        return None
    if layout.has("proj_out.weight") and layout.shape(MARKER_KEY)[0] == 2560 and layout.shape("proj_out.weight")[0] == 128:
        return None
    architecture = {
        "dim": 3072,  # QwenImageTransformer2DModel constructor constants: not read from the file
        "num_heads": 24,
        "num_layers": layout.count_blocks("transformer_blocks."),
        "in_channels": layout.shape("img_in.weight")[1],
        "out_channels": 16,
        "patch_size": [2, 2],
        "context_dim": layout.shape(MARKER_KEY)[0],
    }
    if layout.has("time_text_embed.addition_t_embedding.weight"):
        return FamilyMatch(FAMILY, "qwen_image_layered", "QwenImage", architecture)
    if layout.has("__index_timestep_zero__"):
        return FamilyMatch(FAMILY, "qwen_image_edit_2511", "QwenImage", architecture)
    if name_has(file_name, r"2511"):
        return FamilyMatch(FAMILY, "qwen_image_edit_2511", "QwenImage", architecture, variant_source="file name",
                           notes=("The file name says Edit-2511 but the '__index_timestep_zero__' marker is "
                                  "missing, so ComfyUI uses the default reference-latent method for it",))
    ambiguous = SAME_LAYOUT
    if name_has(file_name, r"edit") and name_has(file_name, r"2509"):
        variant = "qwen_image_edit_2509"
    elif name_has(file_name, r"edit"):
        variant = "qwen_image_edit"
    else:
        return FamilyMatch(FAMILY, "qwen_image", "QwenImage", architecture,
                           ambiguous_with=tuple(v for v in ambiguous if v != "qwen_image"),
                           notes=("Qwen-Image, Edit and Edit-2509 share one layout; a file name with "
                                  "'edit' (and '2509') marks an edit model",))
    return FamilyMatch(FAMILY, variant, "QwenImage", architecture, variant_source="file name",
                       ambiguous_with=tuple(v for v in ambiguous if v != variant))


def expected_layout(layout: StateDictLayout, match: FamilyMatch):
    """(expected key -> shape, optional key -> shape or None, file-key aliases) for the detected architecture."""
    expected = qwen_image_tensor_shapes(
        layout.block_span("transformer_blocks."), match.architecture["in_channels"],
        additional_t_cond=layout.has("time_text_embed.addition_t_embedding.weight"))
    # The Edit-2511 marker is an empty buffer that ComfyUI accepts on any Qwen-Image file.
    return expected, {"__index_timestep_zero__": None}, {}

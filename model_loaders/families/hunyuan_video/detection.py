"""HunyuanVideo 1.0 / 1.5: detection rules (mirroring comfy/model_detection.py and the order of the
Hunyuan classes in comfy/supported_models.py)."""
import math

from ...errors import UnknownArchitectureError
from ...layout import StateDictLayout
from ..base import FamilyMatch, name_has
from .declarations import FAMILY
from .keys import hunyuan_video_tensor_shapes

MARKER_KEY = "txt_in.individual_token_refiner.blocks.0.norm1.weight"


def detect(layout: StateDictLayout, file_name: str) -> FamilyMatch | None:
    if not layout.has(MARKER_KEY):
        return None
    img_in = layout.shape("img_in.proj.weight")
    patch = list(img_in[2:])
    hidden = img_in[0]
    vision_in_dim = layout.shape("vision_in.proj.0.weight")[0] if layout.has("vision_in.proj.0.weight") else None
    has_vector_in = layout.any_startswith("vector_in.")
    architecture = {
        "dim": hidden,
        "num_heads": hidden // 128,
        "num_layers": layout.count_blocks("double_blocks.") + layout.count_blocks("single_blocks."),
        "double_blocks": layout.count_blocks("double_blocks."),
        "single_blocks": layout.count_blocks("single_blocks."),
        "in_channels": img_in[1],
        "out_channels": layout.shape("final_layer.linear.weight")[0] // math.prod(patch),
        "patch_size": patch,
        "context_dim": layout.shape("txt_in.input_embedder.weight")[1],
        "vision_in_dim": vision_in_dim,
        "guidance_embed": layout.any_startswith("guidance_in."),
    }
    in_channels = architecture["in_channels"]
    if hidden < 128 or hidden % 128:
        raise UnknownArchitectureError(
            f"{file_name}: HunyuanVideo layout with hidden size {hidden}, not a multiple of 128 (the head size): "
            f"ComfyUI cannot build it")
    if vision_in_dim == 1152:
        if in_channels == 98:
            return FamilyMatch(FAMILY, "hunyuan_video_15_sr", "HunyuanVideo15_SR_Distilled", architecture)
        return FamilyMatch(FAMILY, "hunyuan_video_15", "HunyuanVideo15", architecture)
    if not has_vector_in:
        # ComfyUI's trap: without vector_in.* the file matches HunyuanImage 2.1 before any video class.
        which = "HunyuanImage 2.1 refiner" if patch == [1, 1, 1] else "HunyuanImage 2.1"
        raise UnknownArchitectureError(
            f"{file_name}: HunyuanVideo-style keys but no 'vector_in.*' weights, so ComfyUI detects it as "
            f"{which}, which StoryCore does not route. If this is meant to be a HunyuanVideo 1.0 checkpoint, "
            f"it is incomplete (the vector_in layers are missing): download it again")
    if in_channels == 32:
        return FamilyMatch(FAMILY, "hunyuan_video_skyreels_i2v", "HunyuanVideoSkyreelsI2V", architecture)
    if in_channels == 33:
        return FamilyMatch(FAMILY, "hunyuan_video_i2v_concat", "HunyuanVideoI2V", architecture)
    if in_channels != 16:
        raise UnknownArchitectureError(
            f"{file_name}: HunyuanVideo layout with {in_channels} input channels matches no HunyuanVideo "
            f"variant (16 T2V / I2V replace, 32 SkyReels, 33 I2V concat, 1.5 with vision_in)")
    if name_has(file_name, r"i2v", r"image[_\- ]?to[_\- ]?video"):
        return FamilyMatch(FAMILY, "hunyuan_video_i2v_replace", "HunyuanVideo", architecture,
                           variant_source="file name", ambiguous_with=("hunyuan_video_t2v",))
    return FamilyMatch(FAMILY, "hunyuan_video_t2v", "HunyuanVideo", architecture,
                       ambiguous_with=("hunyuan_video_i2v_replace",),
                       notes=("The HunyuanVideo I2V v2 (replace) model has this same 16-channel layout; a file "
                              "name with 'i2v' marks one",))


def expected_layout(layout: StateDictLayout, match: FamilyMatch):
    """(expected key -> shape, optional key -> shape or None, file-key aliases) for the detected architecture.

    Optional sub-networks are expected exactly when the file declares them, as ComfyUI builds them from the same
    markers (model_detection.py, HunyuanVideo branch): vector_in, guidance_in, byt5_in, vision_in,
    cond_type_embedding, time_r_in.
    """
    arch = match.architecture
    expected = hunyuan_video_tensor_shapes(
        arch["dim"], layout.block_span("double_blocks."), layout.block_span("single_blocks."),
        arch["in_channels"], arch["out_channels"], arch["context_dim"], patch=tuple(arch["patch_size"]),
        vector_in=layout.any_startswith("vector_in."), guidance_in=layout.any_startswith("guidance_in."),
        byt5=layout.any_startswith("byt5_in."), vision_in=layout.any_startswith("vision_in."),
        cond_type_embedding=layout.has("cond_type_embedding.weight"), meanflow=layout.any_startswith("time_r_in."))
    # Files saved from ComfyUI 0.33's module spell the QK-norm scales `.weight`; 0.33 loads both spellings.
    aliases = {k[:-len(".scale")] + ".weight": k for k in expected if k.endswith("_norm.scale")}
    return expected, {}, aliases

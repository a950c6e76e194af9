"""The inspector names the intended family, variant and precision of every tiny fixture, reading only
the header, and agrees with ComfyUI's detection rules (the traps included)."""
import json
import struct

import pytest

from model_loaders import UnknownArchitectureError, inspect_checkpoint, read_safetensors_header
from tiny_models import PRECISIONS, VARIANTS, write_checkpoint, write_sparse_checkpoint
from tiny_models.hunyuan_video import hunyuan_video_tensor_shapes
from tiny_models.wan import wan_tensor_shapes

# The inspector reports the A14B expert separately from the variant.
EXPECTED_EXPERT = {"wan22_a14b_t2v_high_noise": "high_noise", "wan22_a14b_t2v_low_noise": "low_noise"}


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_fixture_is_described_as_intended(tiny_models_dir, variant, precision):
    spec = VARIANTS[variant]
    path = write_checkpoint(variant, precision, tiny_models_dir)
    description = inspect_checkpoint(path)
    assert description.family == spec.family
    assert description.variant == spec.expected_variant
    assert description.expert == (spec.expert or EXPECTED_EXPERT.get(variant))
    assert description.comfy_model_class == spec.comfy_config_class
    assert description.precision["format"] == precision
    assert description.parameter_count == spec.parameter_count()
    # Exact weight bytes: everything after the header.
    assert description.weight_bytes == path.stat().st_size - description.header_bytes_read
    json.dumps(description.to_dict())  # the node's output must serialise


def test_only_the_header_is_read(tmp_path):
    path = write_sparse_checkpoint(tmp_path / "wan2.1_t2v_14B_fp8_e4m3fn.safetensors",
                                   wan_tensor_shapes(5120, 13824, 40, 16, 16), dtype_name="F8_E4M3")
    header = read_safetensors_header(path)
    description = inspect_checkpoint(path)
    assert description.header_bytes_read == 8 + header.header_size
    assert description.header_bytes_read < path.stat().st_size / 1000
    assert description.architecture["dim"] == 5120 and description.architecture["num_layers"] == 40
    assert description.architecture["num_heads"] == 40
    assert 14.0e9 < description.parameter_count < 14.5e9  # Wan 2.1 14B
    assert description.precision["format"] == "fp8_e4m3fn"


def test_comfyui_prefixes_are_stripped(tmp_path):
    shapes = {f"model.diffusion_model.{k}": v for k, v in wan_tensor_shapes(128, 256, 1, 16, 16).items()}
    description = inspect_checkpoint(write_sparse_checkpoint(tmp_path / "wan_prefixed.safetensors", shapes, "BF16"))
    assert description.key_prefix == "model.diffusion_model."
    assert description.variant == "wan21_t2v" and description.precision["format"] == "bf16"


def test_hunyuan_video_without_vector_in_is_refused_like_comfyui_would(tmp_path):
    """ComfyUI matches such a file to HunyuanImage 2.1 before any video class: say so instead."""
    shapes = hunyuan_video_tensor_shapes(128, 1, 1, 16, 16, 4096, vector_in=False)
    path = write_sparse_checkpoint(tmp_path / "hunyuan_video_t2v.safetensors", shapes, "BF16")
    with pytest.raises(UnknownArchitectureError, match="vector_in") as caught:
        inspect_checkpoint(path)
    assert "HunyuanImage 2.1" in str(caught.value)


def test_wan_21_and_22_t2v_share_a_layout_and_the_name_decides(tmp_path):
    shapes = wan_tensor_shapes(128, 256, 1, 16, 16)
    plain = inspect_checkpoint(write_sparse_checkpoint(tmp_path / "wan2.1_t2v_14B.safetensors", shapes, "BF16"))
    low = inspect_checkpoint(write_sparse_checkpoint(tmp_path / "wan2.2_t2v_low_noise_14B.safetensors", shapes, "BF16"))
    assert (plain.variant, plain.variant_source, plain.ambiguous_with) == ("wan21_t2v", "weights", ("wan22_a14b_t2v",))
    assert (low.variant, low.variant_source, low.expert) == ("wan22_a14b_t2v", "file name", "low_noise")


def test_header_metadata_with_string_layer_entries_is_refused(tmp_path):
    """QUANTIZATION.md's own example uses strings, which crash ComfyUI: refuse it with the fix."""
    shapes = wan_tensor_shapes(128, 256, 1, 16, 16)
    metadata = {"_quantization_metadata": json.dumps({"format_version": "1.0",
                                                      "layers": {"blocks.0.ffn.0": "float8_e4m3fn"}})}
    path = write_sparse_checkpoint(tmp_path / "wan_bad_quant.safetensors", shapes, "F8_E4M3", metadata=metadata)
    with pytest.raises(Exception, match="not an object"):
        inspect_checkpoint(path)


def test_unknown_architecture_lists_what_was_found(tmp_path):
    path = write_sparse_checkpoint(tmp_path / "sdxl_like.safetensors",
                                   {"input_blocks.0.0.weight": (320, 4, 3, 3), "out.2.weight": (4, 320, 3, 3)}, "F16")
    with pytest.raises(UnknownArchitectureError) as caught:
        inspect_checkpoint(path)
    message = str(caught.value)
    assert "input_blocks" in message and "out" in message and "2 tensors" in message
    assert "sdxl_like.safetensors" in message


def test_header_length_is_read_little_endian(tmp_path):
    raw = json.dumps({"head.modulation": {"dtype": "BF16", "shape": [1, 2, 128], "data_offsets": [0, 512]}}).encode()
    path = tmp_path / "x.safetensors"
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0" * 512)
    assert read_safetensors_header(path).tensors["head.modulation"].shape == (1, 2, 128)

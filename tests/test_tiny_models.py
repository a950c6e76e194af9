"""Plain tier: the tiny-model generator writes every (variant, precision) in the intended storage format.

No ComfyUI here; tests/comfyui/test_tiny_models_in_comfyui.py proves ComfyUI detects, loads and samples them.
"""
import hashlib
import json
import os
from collections import Counter

import pytest
import torch
from safetensors import safe_open

import tiny_models
from tiny_models import PRECISIONS, VARIANTS, write_checkpoint, write_sparse_checkpoint

CASES = [pytest.param(v, p, id=f"{v}-{p}") for v in VARIANTS for p in PRECISIONS]


def _read(path):
    with safe_open(str(path), "pt") as f:
        return {k: f.get_tensor(k) for k in f.keys()}, f.metadata() or {}


def _element_share(tensors, dtype):
    counts = Counter()
    for t in tensors.values():
        counts[t.dtype] += t.numel()
    return counts[dtype] / sum(counts.values())


@pytest.mark.parametrize("variant_id,precision", CASES)
def test_checkpoint_is_written_in_the_intended_format(tiny_models_dir, variant_id, precision):
    spec = VARIANTS[variant_id]
    path = write_checkpoint(variant_id, precision, tiny_models_dir)
    assert path == tiny_models_dir / f"{spec.file_stem}_{precision}.safetensors"
    tensors, metadata = _read(path)
    shapes = spec.tensor_shapes()
    linear = set(spec.linear_weights())
    assert linear, "every family has Linear layers to quantise"

    # Every architecture key is there with its shape, whatever the storage format.
    for key, shape in shapes.items():
        assert tuple(tensors[key].shape) == shape, key

    if precision == "bf16":
        assert set(tensors) == set(shapes)
        assert {t.dtype for t in tensors.values()} == {torch.bfloat16}
    elif precision in tiny_models.PLAIN_FP8:
        fp8 = tiny_models.PLAIN_FP8[precision]
        assert set(tensors) == set(shapes)
        assert _element_share(tensors, fp8) > 0.9
        for key, t in tensors.items():
            assert t.dtype == (torch.float32 if key in spec.keep_fp32 else fp8), key
    else:
        quant_keys = {k for k in tensors if k not in shapes}
        for key in linear:
            assert tensors[key].dtype == torch.float8_e4m3fn, key
        for key in set(shapes) - linear:
            assert tensors[key].dtype == torch.bfloat16, key
        layers = sorted(k[:-len(".weight")] for k in linear)
        if precision == "scaled_fp8":
            marker = tensors["scaled_fp8"]
            assert marker.dtype == torch.float8_e4m3fn and marker.numel() == 0  # 2 elements would change semantics
            assert quant_keys == {"scaled_fp8"} | {f"{layer}.scale_weight" for layer in layers}
            scale_suffix = ".scale_weight"
        else:
            scale_suffix = ".weight_scale"
            expected = {f"{layer}.weight_scale" for layer in layers}
            if precision == "comfy_quant":
                expected |= {f"{layer}.comfy_quant" for layer in layers}
                for layer in layers:
                    q = tensors[f"{layer}.comfy_quant"]
                    assert q.dtype == torch.uint8
                    assert json.loads(bytes(q.tolist()).decode("utf-8")) == {"format": "float8_e4m3fn"}
                assert "_quantization_metadata" not in metadata
            else:
                quant = json.loads(metadata["_quantization_metadata"])
                assert quant["format_version"] == "1.0"
                assert quant["layers"] == {layer: {"format": "float8_e4m3fn"} for layer in layers}
            assert quant_keys == expected
        for layer in layers:
            scale = tensors[f"{layer}{scale_suffix}"]
            assert scale.dtype == torch.float32 and scale.shape == () and scale.item() > 0
            weight = tensors[f"{layer}.weight"].float() * scale
            assert torch.isfinite(weight).all()


@pytest.mark.parametrize("variant_id", ["wan21_t2v", "hunyuan_video_15"])
def test_quantised_weights_dequantise_to_the_bf16_weights(tiny_models_dir, variant_id):
    master, _ = _read(write_checkpoint(variant_id, "bf16", tiny_models_dir))
    quant, _ = _read(write_checkpoint(variant_id, "comfy_quant", tiny_models_dir))
    scaled, _ = _read(write_checkpoint(variant_id, "scaled_fp8", tiny_models_dir))
    for key in VARIANTS[variant_id].linear_weights():
        layer = key[:-len(".weight")]
        w = master[key].float()
        for deq in (quant[key].float() * quant[f"{layer}.weight_scale"], scaled[key].float() * scaled[f"{layer}.scale_weight"]):
            # e4m3 keeps 3 mantissa bits: relative error <= 1/16 for normal numbers.
            assert torch.allclose(deq, w, rtol=0.0625, atol=1e-3), key


def test_values_follow_the_documented_init(tiny_models_dir):
    tensors, _ = _read(write_checkpoint("wan21_t2v", "bf16", tiny_models_dir))
    assert torch.equal(tensors["blocks.0.norm3.weight"], torch.ones(128, dtype=torch.bfloat16))
    assert torch.equal(tensors["blocks.0.ffn.0.bias"], torch.zeros(256, dtype=torch.bfloat16))
    std = tensors["text_embedding.0.weight"].float().std().item()
    assert 0.015 < std < 0.025


def test_second_call_returns_the_cached_file_without_rewriting(tiny_models_dir):
    path = write_checkpoint("hunyuan_video_t2v", "fp8_e4m3fn", tiny_models_dir)
    before = path.stat()
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns - 10_000_000_000))  # make a rewrite visible
    marked = path.stat().st_mtime_ns
    again = write_checkpoint("hunyuan_video_t2v", "fp8_e4m3fn", tiny_models_dir)
    assert again == path
    assert path.stat().st_mtime_ns == marked
    assert not [p for p in tiny_models_dir.iterdir() if p.name.endswith(".tmp")]


def test_same_seed_gives_identical_bytes(tmp_path):
    digests = []
    for sub in ("a", "b"):
        for precision in ("bf16", "comfy_quant_metadata"):
            path = write_checkpoint("wan21_vace", precision, tmp_path / sub)
            digests.append((precision, hashlib.sha256(path.read_bytes()).hexdigest()))
    assert digests[:2] == digests[2:]


def test_high_and_low_noise_experts_share_a_layout_but_not_weights(tiny_models_dir):
    high, _ = _read(write_checkpoint("wan22_a14b_t2v_high_noise", "bf16", tiny_models_dir))
    low, _ = _read(write_checkpoint("wan22_a14b_t2v_low_noise", "bf16", tiny_models_dir))
    assert {k: v.shape for k, v in high.items()} == {k: v.shape for k, v in low.items()}
    assert not torch.equal(high["blocks.0.ffn.0.weight"], low["blocks.0.ffn.0.weight"])


def test_unknown_variant_or_precision_is_refused(tmp_path):
    with pytest.raises(KeyError, match="unknown variant"):
        write_checkpoint("wan99", "bf16", tmp_path)
    with pytest.raises(ValueError, match="unknown precision"):
        write_checkpoint("wan21_t2v", "int4", tmp_path)


def test_real_size_wan_shapes_describe_wan21_14b():
    shapes = tiny_models.wan_tensor_shapes(5120, 13824, 40, 16, 16)
    params = sum(torch.Size(s).numel() for s in shapes.values())
    assert 14.0e9 < params < 14.5e9  # "14B"
    assert len(shapes) == 12 + 40 * 27 + 3  # the 1095 keys of wan2.1_t2v_14B
    assert shapes["blocks.39.ffn.0.weight"] == (13824, 5120)


def test_sparse_checkpoint_has_the_exact_size_and_a_readable_header(tmp_path):
    shapes = tiny_models.wan_tensor_shapes(5120, 13824, 40, 16, 16)
    path = write_sparse_checkpoint(tmp_path / "wan2.1_t2v_14B_fp8_e4m3fn.safetensors", shapes,
                                   metadata={"format": "pt"})
    data_bytes = sum(torch.Size(s).numel() for s in shapes.values())  # 1 byte per F8_E4M3 element
    header_len = int.from_bytes(open(path, "rb").read(8), "little")
    assert path.stat().st_size == 8 + header_len + data_bytes
    assert path.stat().st_blocks * 512 < 1 << 20  # sparse: no data written
    with safe_open(str(path), "pt") as f:  # header only: never read the data
        assert set(f.keys()) == set(shapes)
        assert f.metadata() == {"format": "pt"}
        sl = f.get_slice("blocks.0.self_attn.q.weight")
        assert sl.get_shape() == [5120, 5120] and sl.get_dtype() == "F8_E4M3"


def test_wan21_vae_is_written_with_its_shape_table(tiny_models_dir):
    path = tiny_models.write_wan21_vae(tiny_models_dir)
    tensors, _ = _read(path)
    shapes = tiny_models.wan21_vae_tensor_shapes(8)
    assert {k: tuple(v.shape) for k, v in tensors.items()} == shapes
    assert len(shapes) == 194
    assert tensors["decoder.head.0.gamma"].shape[0] == 8

"""ComfyUI tier: model_loaders' streaming diffusion-model loader against real ComfyUI (CPU, in-process).

(a) precision choice -> model_options, including the refusal to force fp8 on pre-quantised files;
(b) for every tiny variant in every storage format: the same bytes, dtypes, QuantizedTensor data and op classes as
    comfy.sd.load_diffusion_model with the same options, and one finite sampling step;
(c) the cache: same patcher without reading, reload after a rewrite, CorruptCheckpointError after truncation,
    lets go once ComfyUI drops the model;
(d) peak RSS of loading a ~0.95 GB Wan-shaped fp8 file, in a subprocess, <= 1.05x the file size.
Qwen-Image and NewBie (~400 M parameters each) are compared in fp8_e4m3fn and comfy_quant_metadata only, and their
Edit variants (same bytes as qwen_image under another name) are left out.
"""
import ast
import gc
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from sampling import sample_variant
from tiny_models import PRECISIONS, VARIANTS, write_checkpoint

from model_loaders import CorruptCheckpointError, inspect_checkpoint
from model_loaders.diffusion_loading import apply_lora, load_diffusion_file, model_options_for
from model_loaders.precision import PrecisionChoiceError
from model_loaders import model_cache
from model_loaders.weights_reader import WeightsFile

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import load_probe  # noqa: E402

LARGE_PRECISIONS = ("fp8_e4m3fn", "comfy_quant_metadata")
CASES = [pytest.param(v, p, id=f"{v}-{p}") for v, spec in VARIANTS.items() for p in PRECISIONS
         if not spec.large or (p in LARGE_PRECISIONS and spec.same_weights_as is None)]


pytestmark = pytest.mark.usefixtures("free_models")


# (a) precision -> model_options -------------------------------------------------------------------------------

def _description(tiny_models_dir, precision, variant="wan21_t2v"):
    return inspect_checkpoint(write_checkpoint(variant, precision, tiny_models_dir))


@pytest.mark.parametrize("precision,expected", [
    ("bf16", {}), ("fp8_e4m3fn", {"dtype": torch.float8_e4m3fn}), ("fp8_e5m2", {"dtype": torch.float8_e5m2}),
    ("scaled_fp8", {}), ("comfy_quant", {}), ("comfy_quant_metadata", {})])
def test_auto_passes_plain_fp8_dtype_and_leaves_quantised_files_default(comfyui, tiny_models_dir, precision, expected):
    assert model_options_for(_description(tiny_models_dir, precision), "auto") == expected


@pytest.mark.parametrize("choice,expected", [
    ("fp8_e4m3fn", {"dtype": torch.float8_e4m3fn}),
    ("fp8_e4m3fn_fast", {"dtype": torch.float8_e4m3fn, "fp8_optimizations": True}),
    ("fp8_e5m2", {"dtype": torch.float8_e5m2}),
    ("as_stored", {"dtype": torch.bfloat16})])
def test_explicit_choices_on_a_bf16_file(comfyui, tiny_models_dir, choice, expected):
    assert model_options_for(_description(tiny_models_dir, "bf16"), choice) == expected


def test_as_stored_uses_the_files_own_dtype(comfyui, tiny_models_dir):
    assert model_options_for(_description(tiny_models_dir, "fp8_e5m2"), "as_stored") == {"dtype": torch.float8_e5m2}
    # Quantised layers stay fp8 whatever the dtype; the rest of the file is bf16.
    assert model_options_for(_description(tiny_models_dir, "comfy_quant"), "as_stored") == {"dtype": torch.bfloat16}


@pytest.mark.parametrize("precision", ["scaled_fp8", "comfy_quant", "comfy_quant_metadata"])
@pytest.mark.parametrize("choice", ["fp8_e4m3fn", "fp8_e4m3fn_fast", "fp8_e5m2"])
def test_forcing_fp8_on_a_quantised_file_is_refused_with_the_fix(comfyui, tiny_models_dir, precision, choice):
    description = _description(tiny_models_dir, precision)
    with pytest.raises(PrecisionChoiceError) as error:
        model_options_for(description, choice)
    message = str(error.value)
    assert description.file_name in message and precision in message and "'auto'" in message


def test_unknown_choice_is_refused(comfyui, tiny_models_dir):
    with pytest.raises(PrecisionChoiceError, match="auto"):
        model_options_for(_description(tiny_models_dir, "bf16"), "fp4")


# (b) same model as ComfyUI's own loader ------------------------------------------------------------------------

def _missing_keys_logged(records) -> set:
    found = set()
    for record in records:
        message = record.getMessage()
        if message.startswith("unet missing: "):
            found |= set(ast.literal_eval(message[len("unet missing: "):]))
    return found


def _load_both(comfyui, path, options, caplog):
    with caplog.at_level(logging.WARNING):
        caplog.clear()
        ours = load_diffusion_file(path, options)
        ours_missing = _missing_keys_logged(caplog.records)
        caplog.clear()
        native = comfyui.comfy.sd.load_diffusion_model(str(path), model_options=dict(options))
        native_missing = _missing_keys_logged(caplog.records)
    return ours, native, ours_missing, native_missing


def _assert_same_model(ours, native, missing):
    assert type(ours) is type(native)
    assert type(ours.model) is type(native.model)
    assert type(ours.model.model_config) is type(native.model.model_config)
    ops_ours = {name: type(m).__module__ + "." + type(m).__qualname__ for name, m in ours.model.named_modules()}
    ops_native = {name: type(m).__module__ + "." + type(m).__qualname__ for name, m in native.model.named_modules()}
    assert ops_ours == ops_native
    a, b = ours.model.diffusion_model.state_dict(), native.model.diffusion_model.state_dict()
    assert a.keys() == b.keys()
    compared = 0
    for key in a.keys() - missing:  # keys neither loader filled hold uninitialised memory in both
        x, y = a[key], b[key]
        assert type(x) is type(y) and x.dtype == y.dtype and x.shape == y.shape, key
        parts_x, parts_y = load_probe.tensor_parts(x), load_probe.tensor_parts(y)
        assert len(parts_x) == len(parts_y), key
        for px, py in zip(parts_x, parts_y):
            assert px.dtype == py.dtype, key
            assert torch.equal(px.contiguous().reshape(-1).view(torch.uint8),
                               py.contiguous().reshape(-1).view(torch.uint8)), key
        compared += 1
    assert compared > 0


@pytest.mark.parametrize("variant_id,precision", CASES)
def test_streaming_load_equals_comfyui_and_samples(comfyui, tiny_models_dir, caplog, variant_id, precision):
    spec = VARIANTS[variant_id]
    path = write_checkpoint(variant_id, precision, tiny_models_dir)
    options = model_options_for(inspect_checkpoint(path), "auto")
    ours, native, ours_missing, native_missing = _load_both(comfyui, path, options, caplog)
    assert ours_missing == native_missing == set()  # the fixtures are complete on every ComfyUI version
    assert type(ours.model.model_config).__name__ == spec.comfy_config_class
    _assert_same_model(ours, native, ours_missing)
    del native
    gc.collect()
    sample_variant(comfyui.comfy, ours, spec)


@pytest.mark.parametrize("precision,choice", [("bf16", "fp8_e4m3fn_fast"), ("bf16", "fp8_e5m2"),
                                              ("bf16", "as_stored"), ("fp8_e4m3fn", "as_stored"),
                                              ("comfy_quant", "as_stored"), ("scaled_fp8", "as_stored")])
def test_other_precision_choices_equal_comfyui(comfyui, tiny_models_dir, caplog, precision, choice):
    path = write_checkpoint("wan21_t2v", precision, tiny_models_dir)
    options = model_options_for(inspect_checkpoint(path), choice)
    ours, native, ours_missing, native_missing = _load_both(comfyui, path, options, caplog)
    assert ours_missing == native_missing
    _assert_same_model(ours, native, ours_missing)
    sample_variant(comfyui.comfy, ours, VARIANTS["wan21_t2v"])


def test_lora_goes_through_comfyui_and_changes_the_output(comfyui, tiny_models_dir, tmp_path):
    from safetensors.torch import save_file
    spec = VARIANTS["wan21_t2v"]
    path = write_checkpoint("wan21_t2v", "fp8_e4m3fn", tiny_models_dir)
    model = load_diffusion_file(path, model_options_for(inspect_checkpoint(path), "auto"))
    gen = torch.Generator().manual_seed(1)
    lora = {}
    for layer in ("blocks.0.self_attn.q", "blocks.0.ffn.0"):
        out_f, in_f = spec.tensor_shapes()[f"{layer}.weight"]
        lora[f"diffusion_model.{layer}.lora_down.weight"] = torch.randn(4, in_f, generator=gen)
        lora[f"diffusion_model.{layer}.lora_up.weight"] = torch.randn(out_f, 4, generator=gen)
    lora_path = tmp_path / "tiny_lora.safetensors"
    save_file(lora, str(lora_path))
    patched = apply_lora(model, lora_path, 1.0)
    assert patched is not model
    assert {"diffusion_model.blocks.0.self_attn.q.weight", "diffusion_model.blocks.0.ffn.0.weight"} <= set(patched.patches)
    assert not model.patches  # the cached base model is untouched
    base_out = sample_variant(comfyui.comfy, model, spec, inference_mode=True)
    assert not torch.equal(sample_variant(comfyui.comfy, patched, spec, inference_mode=True), base_out)
    with torch.inference_mode():  # its weights became inference tensors: unload them in the same mode
        comfyui.comfy.model_management.unload_all_models()


# (c) the cache ---------------------------------------------------------------------------------------------------

def _copy(tiny_models_dir, tmp_path, precision="fp8_e4m3fn", name="model.safetensors"):
    target = tmp_path / name
    shutil.copyfile(write_checkpoint("wan21_t2v", precision, tiny_models_dir), target)
    return target


def test_second_load_returns_the_same_patcher_without_reading(comfyui, tiny_models_dir, tmp_path):
    path = _copy(tiny_models_dir, tmp_path)
    first = model_cache.load_diffusion_model(path)
    read_before = WeightsFile.bytes_read_total
    assert model_cache.load_diffusion_model(path) is first
    assert WeightsFile.bytes_read_total == read_before
    # Another precision is another model.
    other = model_cache.load_diffusion_model(path, "fp8_e5m2")
    assert other is not first and WeightsFile.bytes_read_total > read_before


def test_rewritten_file_is_reloaded(comfyui, tiny_models_dir, tmp_path):
    path = _copy(tiny_models_dir, tmp_path)
    first = model_cache.load_diffusion_model(path)
    old_weight = first.model.diffusion_model.blocks[0].ffn[0].weight.clone()
    # Same name, new content (the e5m2 copy: other bytes, same size): mtime changes.
    replacement = write_checkpoint("wan21_t2v", "fp8_e5m2", tiny_models_dir)
    shutil.copyfile(replacement, path)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    read_before = WeightsFile.bytes_read_total
    second = model_cache.load_diffusion_model(path)
    assert second is not first and WeightsFile.bytes_read_total > read_before
    assert second.model.diffusion_model.blocks[0].ffn[0].weight.dtype == torch.float8_e5m2
    assert torch.equal(first.model.diffusion_model.blocks[0].ffn[0].weight, old_weight)  # first is intact


def test_truncated_file_raises_a_clear_error_and_the_loaded_model_still_works(comfyui, tiny_models_dir, tmp_path):
    path = _copy(tiny_models_dir, tmp_path)
    model = model_cache.load_diffusion_model(path)
    os.truncate(path, path.stat().st_size // 2)
    with pytest.raises(CorruptCheckpointError) as error:
        model_cache.load_diffusion_model(path)
    assert path.name in str(error.value) and "truncated" in str(error.value)
    # The model already loaded never mapped the file: it still samples.
    sample_variant(comfyui.comfy, model, VARIANTS["wan21_t2v"])


def test_file_truncated_while_reading_raises_corrupt_checkpoint(comfyui, tiny_models_dir, tmp_path):
    from model_loaders import read_safetensors_header
    path = _copy(tiny_models_dir, tmp_path)
    header = read_safetensors_header(path)
    last = max(header.tensors.values(), key=lambda t: t.end)
    os.truncate(path, path.stat().st_size - last.nbytes // 2)  # after the header was checked
    with WeightsFile(header) as weights, pytest.raises(CorruptCheckpointError, match="truncated"):
        weights.new_tensor(last)


def test_cache_lets_go_when_comfyui_drops_the_model(comfyui, tiny_models_dir, tmp_path):
    comfy = comfyui.comfy
    path = _copy(tiny_models_dir, tmp_path)
    model = model_cache.load_diffusion_model(path)
    comfy.model_management.load_models_gpu([model])
    comfy.model_management.unload_all_models()
    # Still held by someone (e.g. ComfyUI's node cache): the same model, valid, comes back without a read.
    read_before = WeightsFile.bytes_read_total
    assert model_cache.load_diffusion_model(path) is model
    assert WeightsFile.bytes_read_total == read_before
    # Once nobody holds it, the cache does not keep it alive, and the next load reads the file again.
    del model
    gc.collect()
    assert model_cache.cached_model_count() == 0
    again = model_cache.load_diffusion_model(path)
    assert WeightsFile.bytes_read_total > read_before
    assert model_cache.cached_model_count() == 1
    del again


def test_missing_file_names_the_file(comfyui, tmp_path):
    from model_loaders import ModelFileNotFoundError
    with pytest.raises(ModelFileNotFoundError, match="absent.safetensors"):
        model_cache.load_diffusion_model(tmp_path / "absent.safetensors")


# (d) memory floor, measured in a fresh process ---------------------------------------------------------------------

def test_peak_rss_of_loading_a_1gb_fp8_file_is_at_most_1_05x_the_file(comfyui, tiny_models_dir):
    path = load_probe.write_wan_fp8(Path(tiny_models_dir) / "wan21_t2v_1gb_fp8_e4m3fn.safetensors", "1gb")
    out = subprocess.run([sys.executable, str(HERE / "load_probe.py"), "--comfyui", str(comfyui.path),
                          "--file", str(path), "--loader", "ours"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["model_class"] == "WAN21_T2V"
    growth = result["peak_rss"] - result["baseline_rss"]
    assert growth >= 0.95 * result["file_size"]  # the weights are really in memory (not lazily mapped)
    assert growth <= 1.05 * result["file_size"], f"peak RSS grew {growth / result['file_size']:.3f}x the file"


def test_package_modules_import_without_torch_or_comfy():
    code = ("import sys; sys.modules['torch'] = None; sys.modules['comfy'] = None; sys.path.append('tests'); "
            "import pack_import; pack_import.install(); "
            "import model_loaders, model_loaders.diffusion_loading, model_loaders.model_cache, "
            "model_loaders.weights_reader, model_loaders.loader_validation, model_loaders.model_workflow, "
            "model_loaders.families; print('ok')")
    repo = HERE.parents[1]
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr

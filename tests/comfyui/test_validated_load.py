"""The loader node decides once: the precision and header validated when the loader node checked a file are what the
load uses (no second header read, no second precision choice), unless the file changed since."""
import os
import shutil

import pytest
import torch

from component_headers import write_component
from tiny_models import write_checkpoint

from model_loaders import model_cache, safetensors_header
from model_loaders import diffusion_loading
from model_loaders.model_workflow import build_model_workflow


pytestmark = pytest.mark.usefixtures("free_models")


@pytest.fixture
def header_reads(monkeypatch):
    """Counts safetensors header reads by the load path."""
    reads = []
    real = safetensors_header.read_safetensors_header

    def counting(path):
        reads.append(os.path.basename(path))
        return real(path)
    monkeypatch.setattr(safetensors_header, "read_safetensors_header", counting)
    monkeypatch.setattr(diffusion_loading, "read_safetensors_header", counting)
    return reads


def _workflow(tmp_path, tiny_models_dir, precision):
    model = tmp_path / "wan2.1_t2v_tiny.safetensors"
    shutil.copyfile(write_checkpoint("wan21_t2v", "bf16", tiny_models_dir), model)
    workflow = build_model_workflow(
        "wan", models={"model": model}, text_encoders=[write_component("umt5_xxl", tmp_path)],
        vae=write_component("wan21_vae", tmp_path), clip_vision=None, loras=[], precision=precision)
    return workflow, model


def test_the_load_uses_the_validated_precision_and_header(comfyui, tiny_models_dir, tmp_path, header_reads):
    workflow, _ = _workflow(tmp_path, tiny_models_dir, "fp8_e5m2")
    validated = workflow.validated.model_files["model"]
    assert validated.precision.weight_dtype == "float8_e5m2"
    model = workflow.load_diffusion_models()["model"]
    assert header_reads == []  # the header read when the loader checked the file was used
    assert model.model.diffusion_model.blocks[0].ffn[0].weight.dtype == torch.float8_e5m2


def test_a_file_changed_since_validation_is_read_again(comfyui, tiny_models_dir, tmp_path, header_reads):
    workflow, model_file = _workflow(tmp_path, tiny_models_dir, "auto")
    assert workflow.validated.model_files["model"].precision.weight_dtype is None  # bf16: ComfyUI's default
    # The file is replaced by the fp8_e5m2 release under the same name: auto now means "keep e5m2".
    shutil.copyfile(write_checkpoint("wan21_t2v", "fp8_e5m2", tiny_models_dir), model_file)
    stat = model_file.stat()
    os.utime(model_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    model = workflow.load_diffusion_models()["model"]
    assert header_reads == [model_file.name]
    assert model.model.diffusion_model.blocks[0].ffn[0].weight.dtype == torch.float8_e5m2

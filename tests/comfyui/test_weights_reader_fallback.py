"""ComfyUI tier (in-process, CPU): the loader without os.preadv (Windows), forced here, loads the same model bit
for bit, reports truncation the same way, and keeps the same memory floor."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tiny_models import write_checkpoint

from model_loaders import CorruptCheckpointError, model_cache, weights_reader
from model_loaders.diffusion_loading import load_diffusion_file

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import load_probe  # noqa: E402


pytestmark = pytest.mark.usefixtures("free_models")


def _load(path, preadv: bool, monkeypatch):
    monkeypatch.setattr(weights_reader, "HAVE_PREADV", preadv)
    return load_diffusion_file(path)


@pytest.mark.skipif(not hasattr(__import__("os"), "preadv"), reason="compares against os.preadv")
@pytest.mark.parametrize("variant,precision", [("wan21_t2v", "fp8_e4m3fn"), ("wan21_t2v", "comfy_quant"),
                                               ("wan21_t2v", "scaled_fp8"), ("hunyuan_video_t2v", "bf16")])
def test_the_fallback_loads_the_same_bytes_as_preadv(comfyui, tiny_models_dir, monkeypatch, variant, precision):
    path = write_checkpoint(variant, precision, tiny_models_dir)
    monkeypatch.setattr(weights_reader, "PIECE_BYTES", 256 * 1024 + 5)  # many pieces, unaligned, on both threads
    ours = _load(path, True, monkeypatch).model.diffusion_model.state_dict()
    fallback = _load(path, False, monkeypatch).model.diffusion_model.state_dict()
    assert ours.keys() == fallback.keys()
    for key in ours:
        a, b = load_probe.tensor_parts(ours[key]), load_probe.tensor_parts(fallback[key])
        assert len(a) == len(b), key
        for x, y in zip(a, b):
            assert x.dtype == y.dtype and x.shape == y.shape, key
            assert torch.equal(x.contiguous().reshape(-1).view(torch.uint8),
                               y.contiguous().reshape(-1).view(torch.uint8)), key


def test_the_fallback_reports_a_file_truncated_while_loading_and_caches_nothing(comfyui, tiny_models_dir, tmp_path,
                                                                                 monkeypatch):
    path = tmp_path / "truncated.safetensors"
    shutil.copyfile(write_checkpoint("wan21_t2v", "fp8_e4m3fn", tiny_models_dir), path)
    monkeypatch.setattr(weights_reader, "HAVE_PREADV", False)
    read_piece = weights_reader.WeightsFile._read_piece

    def truncate_at_the_first_piece(self, *job):
        if path.stat().st_size == self.header.file_size:  # after the header was read and checked
            with open(path, "r+b") as f:
                f.truncate(self.header.file_size // 2)
        return read_piece(self, *job)

    monkeypatch.setattr(weights_reader.WeightsFile, "_read_piece", truncate_at_the_first_piece)
    with pytest.raises(CorruptCheckpointError) as error:
        model_cache.load_diffusion_model(path)
    message = str(error.value)
    assert path.name in message and "the file ended while reading tensor" in message and "truncated" in message
    assert model_cache.cached_model_count() == 0


PROBE_WITHOUT_PREADV = """
import sys
sys.path.append({tests!r}); sys.path.insert(0, {here!r})
import pack_import
pack_import.install()
import model_loaders.weights_reader as reader
reader.HAVE_PREADV = False  # every WeightsFile the probe opens reads with seek + readinto
import load_probe
sys.argv = ["load_probe.py"] + {args!r}
load_probe.main()
"""


def test_peak_rss_of_the_fallback_loading_a_1gb_fp8_file_is_at_most_1_05x_the_file(comfyui, tiny_models_dir):
    path = load_probe.write_wan_fp8(Path(tiny_models_dir) / "wan21_t2v_1gb_fp8_e4m3fn.safetensors", "1gb")
    args = ["--comfyui", str(comfyui.path), "--file", str(path), "--loader", "ours", "--checksum"]
    code = PROBE_WITHOUT_PREADV.format(tests=str(HERE.parent), here=str(HERE), args=args)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["model_class"] == "WAN21_T2V"
    growth = result["peak_rss_after_load"] - result["baseline_rss"]
    assert growth >= 0.95 * result["file_size"]  # the weights are really in memory
    assert growth <= 1.05 * result["file_size"], f"peak RSS grew {growth / result['file_size']:.3f}x the file"
    print(f"fallback load: {result['load_s']:.2f} s, peak RSS growth {growth / result['file_size']:.3f}x the file")
    # Same bytes as the preadv load of the same file.
    if hasattr(__import__("os"), "preadv"):
        plain = subprocess.run([sys.executable, str(HERE / "load_probe.py")] + args, capture_output=True,
                               text=True, timeout=900)
        assert plain.returncode == 0, plain.stderr[-3000:]
        assert json.loads(plain.stdout.strip().splitlines()[-1])["checksum"] == result["checksum"]

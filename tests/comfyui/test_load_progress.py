"""ComfyUI tier (in-process, CPU): a diffusion-model load reports its bytes on ComfyUI's progress bar and stops
on ComfyUI's interrupt between pieces, leaving nothing cached."""
import gc
import shutil
import time

import pytest

from tiny_models import write_checkpoint

from model_loaders import model_cache, read_safetensors_header, weights_reader
from model_loaders.diffusion_loading import load_diffusion_file


@pytest.fixture
def model_file(comfyui, tiny_models_dir, tmp_path, monkeypatch):
    # Small pieces: a tiny model is read in many steps, as a 14 GB one is at the real piece size.
    monkeypatch.setattr(weights_reader, "PIECE_BYTES", 64 * 1024)
    path = tmp_path / "wan21_t2v_progress.safetensors"
    shutil.copyfile(write_checkpoint("wan21_t2v", "fp8_e4m3fn", tiny_models_dir), path)
    yield path
    model_cache.clear_cache()
    comfyui.comfy.model_management.interrupt_current_processing(False)
    gc.collect()


@pytest.fixture
def progress_hook(comfyui):
    """ComfyUI's global progress hook (what the server installs to send `progress` messages), recording."""
    import comfy.utils
    calls = []
    previous = comfy.utils.PROGRESS_BAR_HOOK
    comfy.utils.set_progress_bar_global_hook(lambda value, total, preview, **kw: calls.append((value, total)))
    yield calls
    comfy.utils.set_progress_bar_global_hook(previous)


def test_a_load_reports_increasing_bytes_ending_at_the_total(model_file, progress_hook):
    total = read_safetensors_header(model_file).data_bytes
    load_diffusion_file(model_file)
    values = [value for value, _ in progress_hook]
    assert {t for _, t in progress_hook} == {total}
    assert values == sorted(values) and values[0] < total and values[-1] == total
    assert len(values) >= 2  # 0.33 throttles the steps between the first and the last; 0.8 sends each piece


def test_every_piece_moves_the_bar(comfyui, model_file, monkeypatch):
    """What the bar is given, before ComfyUI's own throttling (0.33) decides what to send."""
    import comfy.utils
    given = []
    update = comfy.utils.ProgressBar.update_absolute
    monkeypatch.setattr(comfy.utils.ProgressBar, "update_absolute",
                        lambda bar, value, *a, **kw: (given.append(value), update(bar, value, *a, **kw)))
    total = read_safetensors_header(model_file).data_bytes
    load_diffusion_file(model_file)
    assert given == sorted(given) and given[-1] == total
    assert len(set(given)) >= total // weights_reader.PIECE_BYTES


def test_an_interrupt_before_the_load_raises_comfyuis_exception(comfyui, model_file):
    mm = comfyui.comfy.model_management
    mm.interrupt_current_processing(True)
    read_before = weights_reader.WeightsFile.bytes_read_total
    with pytest.raises(mm.InterruptProcessingException):
        model_cache.load_diffusion_model(model_file)
    assert weights_reader.WeightsFile.bytes_read_total == read_before
    assert not mm.processing_interrupted()  # consumed, as ComfyUI's own checks do


def test_an_interrupt_during_the_load_stops_it_and_caches_nothing(comfyui, model_file, monkeypatch):
    mm = comfyui.comfy.model_management
    total = read_safetensors_header(model_file).data_bytes
    pieces = []
    read_piece = weights_reader.WeightsFile._read_piece

    def cancel_after_three_pieces(self, *job):
        pieces.append(job[1])
        if len(pieces) == 3:
            mm.interrupt_current_processing(True)  # what ComfyUI's /interrupt does, from another thread
        time.sleep(0.01)  # a piece of a real model takes this long: the reading threads cannot outrun the check
        return read_piece(self, *job)

    monkeypatch.setattr(weights_reader.WeightsFile, "_read_piece", cancel_after_three_pieces)
    read_before = weights_reader.WeightsFile.bytes_read_total
    with pytest.raises(mm.InterruptProcessingException):
        model_cache.load_diffusion_model(model_file)
    assert 3 <= len(pieces) < total // weights_reader.PIECE_BYTES
    assert weights_reader.WeightsFile.bytes_read_total - read_before < total
    assert model_cache.cached_model_count() == 0
    # The next queued prompt loads the file in full, and that model is cached.
    monkeypatch.setattr(weights_reader.WeightsFile, "_read_piece", read_piece)
    model = model_cache.load_diffusion_model(model_file)
    assert model_cache.cached_model_count() == 1
    assert model_cache.load_diffusion_model(model_file) is model

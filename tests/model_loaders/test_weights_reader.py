"""The pread-based weights reader: exact bytes, and drop-behind (each piece leaves the page cache once read, unless
STORYCORE_LOADER_DROP_BEHIND=0)."""
import ctypes
import mmap
import os
import sys
import time

import pytest

torch = pytest.importorskip("torch", reason="the weights reader fills torch tensors")
from safetensors.torch import save_file  # noqa: E402

from model_loaders import read_safetensors_header  # noqa: E402
from model_loaders.weights_reader import WeightsFile  # noqa: E402

TENSOR_BYTES = 24 * 1024 * 1024


def cached_fraction(path) -> float:
    """Fraction of the file's pages in the page cache: mincore on a read-only map that is never touched."""
    import numpy
    size = os.path.getsize(path)
    pages = -(-size // mmap.PAGESIZE)
    residency = (ctypes.c_ubyte * pages)()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    with open(path, "rb") as f, mmap.mmap(f.fileno(), size, prot=mmap.PROT_READ) as mapped:
        start = numpy.frombuffer(mapped, dtype=numpy.uint8).ctypes.data  # the map's address, without reading it
        if libc.mincore(ctypes.c_void_p(start), size, residency) != 0:
            pytest.skip(f"mincore failed: errno {ctypes.get_errno()}")
    return sum(byte & 1 for byte in residency) / pages


@pytest.fixture
def weights_path(tmp_path):
    generator = torch.Generator().manual_seed(7)
    tensors = {f"block{i}.weight": torch.randint(0, 255, (TENSOR_BYTES,), dtype=torch.uint8, generator=generator)
               for i in range(3)}
    path = tmp_path / "weights.safetensors"
    save_file(tensors, str(path))
    with open(path, "rb+") as f:
        os.fsync(f.fileno())  # dirty pages (not yet written back) cannot be dropped from the cache
    return path, tensors


def read_all(path, drop_behind):
    header = read_safetensors_header(path)
    with WeightsFile(header, drop_behind=drop_behind) as weights:
        return {name: weights.new_tensor(info) for name, info in header.tensors.items()}


def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="page-cache residency is read with Linux mincore")
def test_drop_behind_leaves_the_read_pages_out_of_the_page_cache(weights_path):
    path, tensors = weights_path
    warm(path)
    if cached_fraction(path) < 0.9:
        pytest.skip("this filesystem does not keep the file in the page cache (nothing to drop)")
    kept = read_all(path, drop_behind=False)
    if cached_fraction(path) < 0.9:
        pytest.skip("the page cache let the file go on its own: the comparison would prove nothing")
    dropped = read_all(path, drop_behind=True)
    residency = cached_fraction(path)
    if residency > 0.9 and not _fadvise_evicts(path):
        pytest.skip("POSIX_FADV_DONTNEED does not evict on this filesystem (tmpfs?)")
    assert residency < 0.05, f"{residency:.0%} of the file still cached after a drop-behind read"
    for name, expected in tensors.items():
        assert torch.equal(kept[name], expected) and torch.equal(dropped[name], expected)


def _fadvise_evicts(path) -> bool:
    warm(path)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
    return cached_fraction(path) < 0.5


@pytest.mark.parametrize("setting, expected", [(None, True), ("1", True), ("0", False)])
def test_drop_behind_is_on_unless_turned_off(monkeypatch, weights_path, setting, expected):
    if setting is None:
        monkeypatch.delenv("STORYCORE_LOADER_DROP_BEHIND", raising=False)
    else:
        monkeypatch.setenv("STORYCORE_LOADER_DROP_BEHIND", setting)
    path, _ = weights_path
    with WeightsFile(read_safetensors_header(path)) as weights:
        assert weights.drop_behind is (expected and hasattr(os, "posix_fadvise"))


# Positioned reads without os.preadv (Windows): forced here by the module switch WeightsFile reads when it opens.

@pytest.fixture(params=[True, False], ids=["preadv", "seek_readinto"])
def read_mode(request, monkeypatch):
    from model_loaders import weights_reader
    if request.param and not hasattr(os, "preadv"):
        pytest.skip("this platform has no os.preadv")
    monkeypatch.setattr(weights_reader, "HAVE_PREADV", request.param)
    return request.param


@pytest.mark.parametrize("threads", [1, 4])
def test_both_read_modes_give_the_stored_bytes(weights_path, read_mode, monkeypatch, threads):
    from model_loaders import weights_reader
    monkeypatch.setattr(weights_reader, "READ_THREADS", threads)
    monkeypatch.setattr(weights_reader, "PIECE_BYTES", 5 * 1024 * 1024 + 3)  # pieces that end mid-page
    path, tensors = weights_path
    header = read_safetensors_header(path)
    with WeightsFile(header, drop_behind=False) as weights:
        assert weights.use_preadv is read_mode
        # Several tensors in one call: pieces of different tensors are read by different threads.
        destinations = {name: torch.empty_like(tensors[name]) for name in header.tensors}
        weights.read_into([(header.tensors[name], destinations[name]) for name in header.tensors])
        opened = len(weights._opened)
    for name, expected in tensors.items():
        assert torch.equal(destinations[name], expected), name
    if read_mode:
        assert opened == 0
    else:  # one file per thread that read (the pool may not start all of them), not one per piece
        assert 1 <= opened <= threads


def test_both_read_modes_report_a_file_truncated_after_its_header_was_read(weights_path, read_mode):
    from model_loaders import CorruptCheckpointError
    path, _ = weights_path
    header = read_safetensors_header(path)
    last = max(header.tensors.values(), key=lambda t: t.end)
    os.truncate(path, os.path.getsize(path) - last.nbytes // 2)
    with WeightsFile(header) as weights, pytest.raises(CorruptCheckpointError) as error:
        weights.new_tensor(last)
    message = str(error.value)
    assert path.name in message and last.name in message and "truncated" in message


def test_the_fallback_closes_every_file_it_opened(weights_path, monkeypatch):
    from model_loaders import weights_reader
    monkeypatch.setattr(weights_reader, "HAVE_PREADV", False)
    path, _ = weights_path
    header = read_safetensors_header(path)
    weights = WeightsFile(header)
    weights.new_tensor(next(iter(header.tensors.values())))
    files = list(weights._opened)
    assert files
    weights.close()
    assert all(f.closed for f in files) and weights.fd == -1


# Progress: bytes read so far, in the caller's thread; whatever the callback raises stops the read.

def test_progress_reports_increasing_bytes_ending_at_the_data_size(weights_path, read_mode, monkeypatch):
    import threading
    from model_loaders import weights_reader
    monkeypatch.setattr(weights_reader, "PIECE_BYTES", 4 * 1024 * 1024)
    path, tensors = weights_path
    header = read_safetensors_header(path)
    seen, threads = [], set()

    def progress(done):
        seen.append(done)
        threads.add(threading.get_ident())

    with WeightsFile(header, progress=progress) as weights:
        loaded = {name: weights.new_tensor(info) for name, info in header.tensors.items()}
    assert seen == sorted(seen) and seen[-1] == header.data_bytes
    assert len(set(seen)) >= 3 * TENSOR_BYTES // (4 * 1024 * 1024)  # one step per piece
    assert threads == {threading.get_ident()}
    assert all(torch.equal(loaded[name], tensors[name]) for name in tensors)


class Stop(BaseException):
    """Not an Exception: like ComfyUI 0.33's InterruptProcessingException."""


@pytest.mark.parametrize("stop_after", [0, 1, 3])
def test_an_exception_from_progress_stops_the_read_and_propagates(weights_path, monkeypatch, stop_after):
    from model_loaders import weights_reader
    monkeypatch.setattr(weights_reader, "PIECE_BYTES", 1024 * 1024)
    path, _ = weights_path
    header = read_safetensors_header(path)
    info = next(iter(header.tensors.values()))
    calls = []

    def progress(done):
        calls.append(done)
        if len(calls) > stop_after:
            raise Stop()

    started = []

    class SlowPieces(WeightsFile):
        def _read_piece(self, *job):
            started.append(job[1])
            time.sleep(0.02)  # pieces outlast the caller's reaction, so cancelling is what stops them
            return super()._read_piece(*job)

    with pytest.raises(Stop):
        with SlowPieces(header, progress=progress) as weights:
            weights.new_tensor(info)
    pieces = info.nbytes // (1024 * 1024)
    assert len(calls) == stop_after + 1 and calls[-1] == (stop_after * 1024 * 1024)
    # Pieces not yet started were cancelled: beyond the ones reported, at most the ones each thread was reading or
    # had just picked up when the caller stopped.
    assert len(started) <= (0 if stop_after == 0 else stop_after + 2 * weights_reader.READ_THREADS) < pieces

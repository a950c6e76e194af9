"""The pread-based weights reader: exact bytes, and drop-behind (each piece leaves the page cache once read, unless
STORYCORE_LOADER_DROP_BEHIND=0)."""
import ctypes
import mmap
import os
import sys

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

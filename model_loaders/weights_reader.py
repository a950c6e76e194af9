"""Read safetensors tensor data with plain positional reads (no memory map) straight into tensor storage.

Why not mmap (what ComfyUI's load_torch_file does): mapped file pages count in the process RSS on top of the
model's own copy (1.4-2x the file at peak), and a file truncated on disk while mapped turns the next access into
SIGBUS, which kills the server. A positioned read into memory the model keeps costs one copy and turns truncation
into a short read, which we report as CorruptCheckpointError. Each piece is dropped from the page cache once read:
the loaded copy is the one that matters (see drop_behind_default).

Positioned reads are os.preadv where the platform has it (Linux, macOS); elsewhere (Windows) each reading thread
has its own unbuffered file object and does seek + readinto into the same memory: same bytes, same checks, no
extra copy.

torch is imported inside the functions: `model_loaders` must stay importable without it.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

from .errors import CorruptCheckpointError
from .safetensors_header import SafetensorsHeader, TensorInfo

# Pieces of this size are read by parallel threads (preadv and readinto release the GIL). Fresh memory must be
# faulted in and zero-filled by the kernel as it is read into; two threads overlap that work on two cores.
PIECE_BYTES = 32 * 1024 * 1024
READ_THREADS = max(1, min(4, os.cpu_count() or 1))
# Windows has no os.preadv (nor os.pread); WeightsFile reads with seek + readinto there. Read when a file opens,
# so a test can force the fallback on Linux.
HAVE_PREADV = hasattr(os, "preadv")

SAFETENSORS_TO_TORCH = {
    "BOOL": "bool", "U8": "uint8", "I8": "int8", "I16": "int16", "U16": "uint16", "I32": "int32", "U32": "uint32",
    "I64": "int64", "U64": "uint64", "F16": "float16", "BF16": "bfloat16", "F32": "float32", "F64": "float64",
    "F8_E4M3": "float8_e4m3fn", "F8_E5M2": "float8_e5m2", "F8_E8M0": "float8_e8m0fnu",
}


def drop_behind_default() -> bool:
    """Whether loads drop each piece from the page cache once read. On by default; STORYCORE_LOADER_DROP_BEHIND=0
    turns it off (for a machine with RAM to spare that reloads the same file often, and for comparisons).

    While the model is loaded, the cached pages are a second copy of it. Where both do not fit (a 14 GB model on
    24 GB), the kernel must evict cached pages as the load fills fresh memory, and it evicts those not yet read
    (the ones just read were touched last): the rest of the load comes from disk. Dropping what was read frees
    exactly the pages we are done with, and the load's next allocations reuse them (on this project's VMs,
    never-used memory is slow to fault in). Measured with benchmarks/bench_load.py: a 14 GB load is 3x faster
    (4.7 s instead of 14.8 s); a 1.4 GB one, where both copies fit, from 2x faster to no change with the host.
    """
    return os.environ.get("STORYCORE_LOADER_DROP_BEHIND", "1") != "0"


def torch_dtype(info: TensorInfo):
    import torch
    name = SAFETENSORS_TO_TORCH.get(info.dtype)
    if name is None or not hasattr(torch, name):
        raise CorruptCheckpointError(f"tensor {info.name!r} has dtype {info.dtype}, which this torch cannot hold")
    return getattr(torch, name)


def byte_view(tensor):
    """A writable numpy uint8 view of a contiguous CPU tensor's storage (fp8 tensors have no numpy dtype)."""
    return tensor.reshape(-1).view(__import__("torch").uint8).numpy()


class WeightsFile:
    """An open safetensors file read with positioned reads; counts bytes read (tests use it to prove cache hits read
    nothing).

    `progress`, if given, is called in the reading caller's thread with the bytes read so far by this file: before
    the first piece, after each piece, and with header.data_bytes when the `with` block ends normally (the tensors
    the loader does not read are ones the model does not use). Whatever it raises stops the read: the pieces not
    started are cancelled, the ones in flight finish, and the exception propagates unchanged (a ComfyUI interrupt
    included)."""

    bytes_read_total = 0  # all instances, this process

    def __init__(self, header: SafetensorsHeader, drop_behind: bool | None = None, progress=None):
        """drop_behind: drop each piece from the page cache once read (None: drop_behind_default())."""
        self.header = header
        self.path = Path(header.path)
        self.data_start = 8 + header.header_size
        if drop_behind is None:
            drop_behind = drop_behind_default()
        self.drop_behind = drop_behind and hasattr(os, "posix_fadvise")  # not on Windows
        self.progress = progress
        self.bytes_read = 0
        self.use_preadv = HAVE_PREADV
        self.fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        self._thread_files = threading.local()  # without preadv: one file object per reading thread
        self._opened = []
        self._opened_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(READ_THREADS) if READ_THREADS > 1 else None

    def close(self):
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        with self._opened_lock:
            for file in self._opened:
                file.close()
            self._opened.clear()
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        try:
            if exc_type is None and self.progress is not None:
                self.progress(max(self.bytes_read, self.header.data_bytes))
        finally:
            self.close()

    def new_tensor(self, info: TensorInfo):
        """A fresh CPU tensor of the stored dtype and shape holding the stored bytes."""
        import torch
        tensor = torch.empty(info.shape, dtype=torch_dtype(info))
        self.read_into([(info, tensor)])
        return tensor

    def read_into(self, pairs) -> None:
        """Fill each contiguous CPU tensor (same byte size as its TensorInfo) with that tensor's stored bytes."""
        jobs = []
        for info, tensor in pairs:
            if info.nbytes == 0:
                continue
            view = byte_view(tensor)
            if view.nbytes != info.nbytes:
                raise ValueError(f"{info.name}: destination holds {view.nbytes} bytes, the file {info.nbytes}")
            for start in range(0, info.nbytes, PIECE_BYTES):
                jobs.append((view[start:start + PIECE_BYTES], self.data_start + info.begin + start, info.name))
        self._report(0)
        if self._pool is None or len(jobs) < 2:
            for job in jobs:
                self._report(self._read_piece(*job))
            return
        futures = [self._pool.submit(self._read_piece, *job) for job in jobs]
        try:
            for future in futures:
                self._report(future.result())
        finally:
            for future in futures:
                future.cancel()
            wait(futures)  # no thread writes into these tensors once this returns

    def _report(self, nbytes: int) -> None:
        self.bytes_read += nbytes
        WeightsFile.bytes_read_total += nbytes  # here, in the caller's thread: no lost updates between threads
        if self.progress is not None:
            self.progress(self.bytes_read)

    def _read_piece(self, buffer, offset: int, name: str) -> int:
        memory = memoryview(buffer).cast("B")
        read = self._preadv if self.use_preadv else self._seek_readinto
        done = 0
        while done < len(memory):
            n = read(memory[done:], offset + done)
            if n == 0:
                raise CorruptCheckpointError(
                    f"{self.path.name}: the file ended while reading tensor {name!r} (byte {offset + done} of "
                    f"{self.header.file_size} expected): it was truncated or replaced while loading. Copy or "
                    f"download it again, then queue the prompt again")
            done += n
        if self.drop_behind:
            os.posix_fadvise(self.fd, offset, done, os.POSIX_FADV_DONTNEED)
        return done

    def _preadv(self, memory, offset: int) -> int:
        return os.preadv(self.fd, [memory], offset)

    def _seek_readinto(self, memory, offset: int) -> int:
        file = getattr(self._thread_files, "file", None)
        if file is None:
            file = open(self.path, "rb", buffering=0)  # unbuffered: readinto fills `memory` directly
            with self._opened_lock:
                self._opened.append(file)
            self._thread_files.file = file
        file.seek(offset)
        return file.readinto(memory) or 0

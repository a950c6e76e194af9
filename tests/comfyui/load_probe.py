"""Child process for memory / time measurements of one diffusion-model load (used by the tests and
benchmarks/bench_load.py). Prints one JSON line.

    python load_probe.py --comfyui DIR --file F.safetensors --loader ours|native|read|touch [--precision auto]
                         [--checksum]

`read` times a plain read of the file into one reused buffer; `touch` times filling never-used memory of the
file's size (what making the weights resident costs when none of the memory was freed a moment ago).

Peak RSS is VmHWM from /proc/self/status; it is reset to the current RSS (clear_refs 5) right before loading, so
the import of ComfyUI does not count. `baseline_rss` is the RSS at that moment.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def import_comfyui(path: str):
    sys.path.insert(0, path)
    import comfy.options
    comfy.options.enable_args_parsing(False)
    import comfy.cli_args
    comfy.cli_args.args.cpu = True
    import comfy.model_management  # noqa: F401
    import comfy.sd  # noqa: F401


def checksum(model) -> int:
    """Sum (mod 2**64) of every parameter and buffer read as 64-bit words, plus the tail bytes (QuantizedTensor:
    its fp8 data and scales): a full pass over the weights, equal between two loads when their bytes are."""
    import numpy
    import torch
    total = 0
    for tensor in list(model.state_dict().values()):
        for part in tensor_parts(tensor):
            data = part.detach().contiguous().reshape(-1).view(torch.uint8).numpy()
            words = data.nbytes // 8
            total += int(data[:words * 8].view(numpy.uint64).sum(dtype=numpy.uint64)) + int(data[words * 8:].sum())
            total %= 2 ** 64
    return total


def tensor_parts(tensor) -> list:
    """The plain tensors holding a value: itself, or a QuantizedTensor's fp8 data and its scale tensors."""
    import dataclasses
    import torch
    if not hasattr(tensor, "_qdata"):
        return [tensor]
    params = tensor._params
    values = ([getattr(params, f.name) for f in dataclasses.fields(params)] if dataclasses.is_dataclass(params)
              else list(vars(params).values()))
    return [tensor._qdata] + [v for v in values if isinstance(v, torch.Tensor)]


# Wan 2.1 T2V shapes (dim, ffn_dim, layers): the real 14B and 1.3B, and a ~0.95 GB one for the tests.
WAN_SIZES = {"14b": (5120, 13824, 40), "1.3b": (1536, 8960, 30), "1gb": (1536, 8960, 20)}


def write_wan_fp8(path, size: str = "1.3b") -> Path:
    """A Wan-2.1-T2V-shaped fp8_e4m3fn file of real size with random fp8 data (NaN codes excluded), written one
    tensor at a time by the fixtures' streaming writer (generating a 14 GB file needs ~0.3 GB of RAM). As in real
    fp8 files, the tensors ComfyUI keeps in fp32 (the patch embedding) are stored fp32."""
    import torch
    sys.path.append(str(REPO / "tests"))
    from tiny_models import VARIANTS, wan_tensor_shapes
    from tiny_models.precision import Entry
    from tiny_models.writer import write_entries
    path = Path(path)
    if path.exists():
        return path
    dim, ffn, layers = WAN_SIZES[size]
    keep_fp32 = VARIANTS["wan21_t2v"].keep_fp32
    import numpy
    rng = numpy.random.default_rng(len(path.name))
    generator = torch.Generator().manual_seed(len(path.name))

    def fp8(shape):
        def make():
            data = rng.integers(0, 256, size=shape, dtype=numpy.uint8)
            data -= ((data & 0x7F) == 0x7F).view(numpy.uint8)  # 0x7F / 0xFF are float8_e4m3fn NaN
            return torch.from_numpy(data).view(torch.float8_e4m3fn)
        return make

    def fp32(shape):
        return lambda: torch.randn(shape, generator=generator) * 0.02

    entries = [Entry(key, torch.float32, shape, fp32(shape)) if key in keep_fp32
               else Entry(key, torch.float8_e4m3fn, shape, fp8(shape))
               for key, shape in wan_tensor_shapes(dim, ffn, layers, 16, 16).items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_entries(path, entries, {"format": "pt"})


def raw_read(path: str) -> float:
    """Seconds to read the whole file with read() into one reused 64 MiB buffer (page cache → user memory)."""
    buffer = bytearray(64 * 1024 * 1024)
    view = memoryview(buffer)
    start = time.perf_counter()
    with open(path, "rb", buffering=0) as f:
        while f.readinto(view):
            pass
    return time.perf_counter() - start


def touch_fresh_memory(size: int) -> float:
    """Seconds to make `size` bytes of fresh memory resident (writes on two threads), without reading the file:
    what a load costs when none of its memory comes from pages freed a moment ago."""
    import torch
    torch.set_num_threads(2)
    memory = torch.empty(size, dtype=torch.uint8)
    start = time.perf_counter()
    memory.fill_(1)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comfyui", required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--loader", choices=("ours", "native", "read", "touch"), required=True)
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--checksum", action="store_true")
    args = parser.parse_args()
    result = {"loader": args.loader, "file_size": os.path.getsize(args.file)}
    if args.loader == "read":
        result["read_s"] = raw_read(args.file)
        print(json.dumps(result))
        return
    if args.loader == "touch":
        result["touch_s"] = touch_fresh_memory(result["file_size"])
        print(json.dumps(result))
        return
    import_comfyui(args.comfyui)
    sys.path.append(str(REPO / "tests"))
    import pack_import
    pack_import.install()
    import gc
    from model_loaders import inspect_checkpoint
    from model_loaders.diffusion_loading import load_diffusion_file, model_options_for
    options = model_options_for(inspect_checkpoint(args.file), args.precision)
    gc.collect()
    reset_peak()
    result["baseline_rss"] = status_kib("VmRSS") * 1024
    start = time.perf_counter()
    if args.loader == "ours":
        patcher = load_diffusion_file(args.file, options)
    else:
        import comfy.sd
        patcher = comfy.sd.load_diffusion_model(args.file, model_options=dict(options))
    result["load_s"] = time.perf_counter() - start
    result["peak_rss_after_load"] = status_kib("VmHWM") * 1024
    if args.checksum:
        start = time.perf_counter()
        result["checksum"] = checksum(patcher.model.diffusion_model)
        result["checksum_s"] = time.perf_counter() - start
    result["peak_rss"] = status_kib("VmHWM") * 1024
    result["rss_end"] = status_kib("VmRSS") * 1024
    result["model_class"] = type(patcher.model.model_config).__name__
    print(json.dumps(result))


if __name__ == "__main__":
    main()

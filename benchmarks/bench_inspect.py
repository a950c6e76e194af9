"""Benchmark: inspecting a Wan-2.1-14B-shaped FP8 checkpoint reads only its header.

The checkpoint is a sparse file: the real header of a 14B Wan 2.1 T2V model (dim 5120, ffn 13824,
40 layers) and the real file size, with no data written. Bytes read are measured by the kernel
(/proc/self/io rchar) around the call. Goals (issue #2): under 1% of the file's bytes, under 50 ms.

    python benchmarks/bench_inspect.py [--runs 50]
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.append(str(REPO / "tests"))

from tiny_models import wan_tensor_shapes, write_sparse_checkpoint  # noqa: E402  (imports the pack's packages)
from model_loaders import inspect_checkpoint  # noqa: E402


def bytes_read_by_this_process() -> int | None:
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("rchar:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_sparse_checkpoint(Path(tmp) / "wan2.1_t2v_14B_fp8_e4m3fn.safetensors",
                                       wan_tensor_shapes(5120, 13824, 40, 16, 16), dtype_name="F8_E4M3")
        size = path.stat().st_size
        inspect_checkpoint(path)  # warm imports and the page cache for the header
        before = bytes_read_by_this_process()
        description = inspect_checkpoint(path)
        after = bytes_read_by_this_process()
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            inspect_checkpoint(path)
            timings.append((time.perf_counter() - start) * 1000)
    read = (after - before) if before is not None and after is not None else description.header_bytes_read
    median = statistics.median(timings)
    share = read / size
    print(f"checkpoint: {description.variant_name}, {description.parameter_count / 1e9:.2f} B params, "
          f"{description.tensor_count} tensors, {size / 2**30:.2f} GiB ({description.precision['format']})")
    print(f"bytes read: {read:,} of {size:,} = {share:.6%} of the file (goal < 1%)")
    print(f"inspection time over {args.runs} runs: median {median:.2f} ms, "
          f"max {max(timings):.2f} ms (goal < 50 ms)")
    ok = share < 0.01 and median < 50
    print("result:", "within goals" if ok else "OUTSIDE GOALS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: loading a Wan-2.1-shaped FP8 diffusion model, ComfyUI's own loader vs model_loaders' streaming
loader, side by side in fresh subprocesses on this machine, plus the raw read of the file.

    ~/ComfyUI/.venv/bin/python benchmarks/bench_load.py [--size 1.3b|14b] [--comfyui DIR] [--dir /tmp] [--runs 2]

The file (1.3B: 1.4 GB, 14B: 14.3 GB) is generated once with random fp8 data, streamed to disk one tensor at a
time. Each child imports ComfyUI (CPU), resets its peak-RSS counter, loads, then makes one full pass over every
weight byte (a checksum, which also proves both loaders produced the same bytes). Peak RSS is VmHWM above the
RSS right before loading, as a multiple of the file size. The raw read (plain read() into one reused 64 MiB
buffer) is measured in its own child right before each loader run, so every ratio compares neighbours. The
machine is shared and noisy: read the ratios of one run, not absolute times across runs.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROBE = REPO / "tests" / "comfyui" / "load_probe.py"
sys.path.insert(0, str(PROBE.parent))
import load_probe  # noqa: E402


def child(comfyui: str, path: Path, loader: str) -> dict:
    command = [sys.executable, str(PROBE), "--comfyui", comfyui, "--file", str(path), "--loader", loader,
               "--checksum"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        raise SystemExit(f"{loader} child failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("1.3b", "14b"), default="1.3b")
    parser.add_argument("--comfyui", default=os.environ.get("COMFYUI_PATH", str(Path.home() / "ComfyUI")))
    parser.add_argument("--dir", default="/tmp/storycore_bench_load")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the generated file for the next run")
    args = parser.parse_args()

    path = Path(args.dir) / f"wan21_t2v_{args.size}_fp8_e4m3fn.safetensors"
    if not path.exists():
        free = shutil.disk_usage(Path(args.dir).parent if not Path(args.dir).exists() else args.dir).free
        print(f"generating {path} (free disk {free / 2**30:.1f} GiB) ...", flush=True)
    load_probe.write_wan_fp8(path, args.size)
    size = path.stat().st_size
    sys.path.insert(0, args.comfyui)
    version = subprocess.run([sys.executable, "-c", "import comfyui_version; print(comfyui_version.__version__)"],
                             cwd=args.comfyui, capture_output=True, text=True).stdout.strip()
    print(f"file {path.name}: {size / 1e9:.2f} GB; ComfyUI {version} at {args.comfyui}; CPU only (no GPU lent)")
    child(args.comfyui, path, "read")  # warm the page cache

    rows = {"ours": [], "native": []}
    for run in range(args.runs):
        for loader in ("ours", "native"):
            read = child(args.comfyui, path, "read")["read_s"]
            result = child(args.comfyui, path, loader)
            result["read_s"] = read
            rows[loader].append(result)
            print(f"run {run + 1} {loader:6s}: load {result['load_s']:.2f} s (raw read {read:.2f} s, "
                  f"{result['load_s'] / read:.2f}x), checksum pass {result['checksum_s']:.2f} s, peak RSS above "
                  f"baseline {(result['peak_rss_after_load'] - result['baseline_rss']) / size:.3f}x file "
                  f"after load, {(result['peak_rss'] - result['baseline_rss']) / size:.3f}x after the pass "
                  f"(baseline {result['baseline_rss'] / 2**20:.0f} MiB)", flush=True)

    checksums = {r["checksum"] for r in rows["ours"] + rows["native"]}
    med = {k: {f: statistics.median(r[f] for r in v) for f in ("load_s", "read_s", "checksum_s")}
           | {"peak": statistics.median((r["peak_rss_after_load"] - r["baseline_rss"]) / size for r in v)}
           for k, v in rows.items()}
    print("\nmedians over runs:")
    print(f"  ours  / raw read : {med['ours']['load_s'] / med['ours']['read_s']:.2f}x "
          f"(goal <= 1.5x)   native / raw read: {med['native']['load_s'] / med['native']['read_s']:.2f}x")
    print(f"  ours  / native   : {med['ours']['load_s'] / med['native']['load_s']:.2f}x time, load + pass "
          f"{(med['ours']['load_s'] + med['ours']['checksum_s']) / (med['native']['load_s'] + med['native']['checksum_s']):.2f}x")
    print(f"  peak RSS / file  : ours {med['ours']['peak']:.3f}x (goal <= 1.05x), native {med['native']['peak']:.3f}x")
    print(f"  bit-identical    : {'yes' if len(checksums) == 1 else 'NO'} (checksums {sorted(checksums)})")
    if not args.keep:
        path.unlink()


if __name__ == "__main__":
    main()

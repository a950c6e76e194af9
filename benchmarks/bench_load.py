"""Benchmark: loading a Wan-2.1-shaped FP8 diffusion model, ComfyUI's own loader vs model_loaders' streaming
loader, side by side in fresh subprocesses on this machine, each compared with a raw read of the file measured
right before it.

    ~/ComfyUI/.venv/bin/python benchmarks/bench_load.py [--size 1.3b|14b] [--comfyui DIR] [--dir /tmp] [--runs 3]
                                                        [--loaders ours,ours_keep_cache,native]

The file (1.3B: 1.4 GB, 14B: 14.3 GB) is generated once with random fp8 data, streamed to disk one tensor at a
time. Each loader child imports ComfyUI (CPU), resets its peak-RSS counter, loads, then makes one full pass over
every weight byte (a checksum, which also proves that every loader produced the same bytes). Peak RSS is VmHWM
above the RSS right before loading, as a multiple of the file size.

Right before each loader child the file is read once to warm the page cache, then read again in its own child:
that second read (plain read() into one reused 64 MiB buffer) is the "raw read" the load is compared with.
`touch` (in the same rotation) fills never-used memory of the file's size. On this project's VMs that is several
times slower than the read: memory the guest has not used lately must be faulted in from the host. Loaders that
reuse recently freed memory (ours drops each piece from the page cache once read, and its next allocations take
those pages) beat it; its ratio shows what a load would cost without that. `ours_keep_cache` is our loader with
drop-behind turned off (STORYCORE_LOADER_DROP_BEHIND=0), to show what it is worth. The machine is shared and
noisy: read the ratios of one run, not absolute times across runs.
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

# loader name -> (load_probe --loader, extra environment)
LOADERS = {
    "ours": ("ours", {}),
    "ours_keep_cache": ("ours", {"STORYCORE_LOADER_DROP_BEHIND": "0"}),
    "native": ("native", {}),
}


def child(comfyui: str, path: Path, loader: str, env: dict | None = None) -> dict:
    command = [sys.executable, str(PROBE), "--comfyui", comfyui, "--file", str(path), "--loader", loader,
               "--checksum"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=1800, env={**os.environ, **(env or {})})
    if out.returncode != 0:
        raise SystemExit(f"{loader} child failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def read_right_before(comfyui: str, path: Path) -> float:
    """Seconds of a raw read of a warm file: one read warms the page cache (the child before may have dropped
    it), a second one in its own child is timed."""
    child(comfyui, path, "read")
    return child(comfyui, path, "read")["read_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("1.3b", "14b"), default="1.3b")
    parser.add_argument("--comfyui", default=os.environ.get("COMFYUI_PATH", str(Path.home() / "ComfyUI")))
    parser.add_argument("--dir", default="/tmp/storycore_bench_load")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--loaders", default="ours,ours_keep_cache,native",
                        help=f"comma-separated, from {', '.join(LOADERS)} (ComfyUI 0.33's own 14B load needs ~2x "
                             f"the file in RAM)")
    parser.add_argument("--keep", action="store_true", help="keep the generated file for the next run")
    args = parser.parse_args()
    loaders = [name.strip() for name in args.loaders.split(",") if name.strip()]
    unknown = [name for name in loaders if name not in LOADERS]
    if unknown:
        parser.error(f"unknown loader(s) {unknown}: choose from {', '.join(LOADERS)}")

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

    rows = {name: [] for name in loaders}
    touch_ratios = []
    for run in range(args.runs):
        read = read_right_before(args.comfyui, path)
        touch = child(args.comfyui, path, "touch")["touch_s"]
        touch_ratios.append(touch / read)
        print(f"run {run + 1} {'touch':15s}: {touch:.2f} s to make {size / 1e9:.1f} GB of fresh memory resident "
              f"(raw read {read:.2f} s, {touch_ratios[-1]:.2f}x)", flush=True)
        for name in loaders:
            read = read_right_before(args.comfyui, path)
            probe_loader, env = LOADERS[name]
            result = child(args.comfyui, path, probe_loader, env)
            result["read_s"] = read
            rows[name].append(result)
            print(f"run {run + 1} {name:15s}: load {result['load_s']:.2f} s (raw read {read:.2f} s, "
                  f"{result['load_s'] / read:.2f}x), checksum pass {result['checksum_s']:.2f} s, peak RSS above "
                  f"baseline {(result['peak_rss_after_load'] - result['baseline_rss']) / size:.3f}x file "
                  f"after load, {(result['peak_rss'] - result['baseline_rss']) / size:.3f}x after the pass "
                  f"(baseline {result['baseline_rss'] / 2**20:.0f} MiB)", flush=True)

    print(f"\nmedians over {args.runs} runs (each / the raw read right before it):")
    print(f"  fresh memory   : {statistics.median(touch_ratios):.2f}x (filling never-used memory of the file's size)")
    median_load = {name: statistics.median(r["load_s"] for r in results) for name, results in rows.items()}
    for name, results in rows.items():
        ratio = statistics.median(r["load_s"] / r["read_s"] for r in results)
        peak = statistics.median((r["peak_rss_after_load"] - r["baseline_rss"]) / size for r in results)
        print(f"  {name:15s}: load {ratio:.2f}x (goal <= 1.5x), peak RSS / file {peak:.3f}x (goal <= 1.05x), "
              f"median load {median_load[name]:.2f} s")
    if "ours" in median_load and "native" in median_load:
        print(f"  ours / native  : {median_load['ours'] / median_load['native']:.2f}x time")
    checksums = {r["checksum"] for results in rows.values() for r in results}
    print(f"  bit-identical  : {'yes' if len(checksums) == 1 else 'NO'} (checksums {sorted(checksums)})")
    if not args.keep:
        path.unlink()


if __name__ == "__main__":
    main()

"""Benchmark: the StoryCore Advanced Router against the equivalent hand-wired native ComfyUI graph (UNETLoader,
ModelSamplingSD3, EmptyHunyuanLatentVideo, KSampler, VAEDecode, SaveAnimatedWEBP) on the same tiny Wan 2.1 T2V
model, the same real ComfyUI server, conditioning and seed.

    ~/ComfyUI/.venv/bin/python benchmarks/bench_router.py [--comfyui DIR] [--runs 7] [--steps 8]
                                                          [--size 160x96x17]

Prints: whether the two output latents are bit-identical (both saved with SaveLatent and compared here), the
warm execution time of each (ComfyUI's own execution_start -> execution_success timestamps, median of --runs
prompts each, alternating, a fresh seed per pair so nothing comes from ComfyUI's cache), their ratio and the median
of the per-pair ratios (steadier on a shared machine), the router's stage timings, and the
routing overhead per prompt (decision + history write + report, from the router's report). Conditioning comes
from the test-only node pack (the text encoder is not part of either graph).
"""
import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests" / "comfyui"), str(REPO / "tests")]
import pack_import  # noqa: E402

pack_import.install()

from comfyui_location import find_comfyui  # noqa: E402
from comfyui_server import ComfyUIServer, execution_error  # noqa: E402
from router_prompts import conditioning_node, loader_node  # noqa: E402

SEEDS = itertools.count(100)


def run(server, prompt) -> dict:
    entry = server.run(prompt, timeout=900)
    if entry["status"]["status_str"] != "success":
        raise SystemExit(json.dumps(execution_error(entry))[:4000])
    return entry


def execution_seconds(entry) -> float:
    stamps = {name: data.get("timestamp") for name, data in entry["status"]["messages"]}
    return (stamps["execution_success"] - stamps["execution_start"]) / 1000.0


def settings(args):
    width, height, frames = (int(v) for v in args.size.split("x"))
    return dict(width=width, height=height, frames=frames, steps=args.steps, cfg=5.0, shift=8.0, sampler="uni_pc",
                scheduler="simple")


def router_prompt(server, s, seed, prefix):
    return {
        "loader": loader_node("wan21_t2v", "fp8_e4m3fn", server.models_root, server.tiny_models_dir),
        "cond": conditioning_node("wan", tokens=64),
        "router": {"class_type": "StoryCoreAdvancedRouter", "inputs": {
            "capability": "text_to_video", "strategy": "config", "prompt": "", "negative_prompt": "",
            "workflow_1": ["loader", 0], "positive": ["cond", 0], "negative": ["cond", 1], "seed": seed,
            "denoise": 1.0, "memory_budget_gb": 0.0, "time_limit_s": 0.0, "filename_prefix": prefix, **s}},
        "save": {"class_type": "SaveLatent", "inputs": {"samples": ["router", 2], "filename_prefix": prefix}},
    }


def native_prompt(server, s, seed, prefix):
    model = loader_node("wan21_t2v", "fp8_e4m3fn", server.models_root, server.tiny_models_dir)["inputs"]
    return {
        "unet": {"class_type": "UNETLoader", "inputs": {"unet_name": model["model_name"],
                                                        "weight_dtype": "fp8_e4m3fn"}},
        "vae": {"class_type": "VAELoader", "inputs": {"vae_name": model["vae"]}},
        "shift": {"class_type": "ModelSamplingSD3", "inputs": {"model": ["unet", 0], "shift": s["shift"]}},
        "cond": conditioning_node("wan", tokens=64),
        "empty": {"class_type": "EmptyHunyuanLatentVideo", "inputs": {
            "width": s["width"], "height": s["height"], "length": s["frames"], "batch_size": 1}},
        "sample": {"class_type": "KSampler", "inputs": {
            "model": ["shift", 0], "seed": seed, "steps": s["steps"], "cfg": s["cfg"], "sampler_name": s["sampler"],
            "scheduler": s["scheduler"], "positive": ["cond", 0], "negative": ["cond", 1],
            "latent_image": ["empty", 0], "denoise": 1.0}},
        "decode": {"class_type": "VAEDecode", "inputs": {"samples": ["sample", 0], "vae": ["vae", 0]}},
        "webp": {"class_type": "SaveAnimatedWEBP", "inputs": {
            "images": ["decode", 0], "filename_prefix": prefix, "fps": 16.0, "lossless": False, "quality": 90,
            "method": "default"}},
        "save": {"class_type": "SaveLatent", "inputs": {"samples": ["sample", 0], "filename_prefix": prefix}},
    }


def saved_latent(server, entry):
    import safetensors.torch
    (saved,) = entry["outputs"]["save"]["latents"]
    path = server.workdir / "output" / saved["subfolder"] / saved["filename"]
    return safetensors.torch.load_file(str(path))["latent_tensor"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comfyui", default=os.environ.get("COMFYUI_PATH"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--size", default="160x96x17")
    args = parser.parse_args()
    comfyui = Path(args.comfyui).expanduser() if args.comfyui else find_comfyui()
    if comfyui is None:
        raise SystemExit("no ComfyUI found: pass --comfyui or set COMFYUI_PATH")
    s = settings(args)
    with tempfile.TemporaryDirectory(prefix="bench_router_") as tmp:
        work, tiny = Path(tmp) / "server", Path(tmp) / "tiny_models"
        tiny.mkdir()
        server = ComfyUIServer(comfyui, REPO, work)
        server.models_root, server.tiny_models_dir = work / "models", tiny
        server.prepare()
        router_prompt(server, s, 0, "warmup")  # places the files before the server lists its folders
        server.start()
        try:
            seed = next(SEEDS)  # same seed, same conditioning: the latents must be the same bits
            router_entry = run(server, router_prompt(server, s, seed, "router"))
            native_entry = run(server, native_prompt(server, s, seed, "native"))
            a, b = saved_latent(server, router_entry), saved_latent(server, native_entry)
            identical = a.shape == b.shape and a.dtype == b.dtype and bool((a == b).all())
            router_s, native_s, overhead_ms, stages = [], [], [], []
            for _ in range(args.runs):
                seed = next(SEEDS)
                entry = run(server, router_prompt(server, s, seed, "router"))
                router_s.append(execution_seconds(entry))
                report = json.loads(entry["outputs"]["router"]["text"][0])
                overhead_ms.append(report["routing_overhead_ms"])
                stages.append(report["timings_s"])
                native_s.append(execution_seconds(run(server, native_prompt(server, s, seed, "native"))))
        finally:
            server.stop()
    version = (comfyui / "comfyui_version.py").read_text().split('"')[1]
    router_median, native_median = statistics.median(router_s), statistics.median(native_s)
    print(f"ComfyUI {version}; tiny Wan 2.1 T2V fp8, {args.size}, {args.steps} steps, cfg 5, uni_pc/simple")
    print(f"latents bit-identical: {identical} (shape {tuple(a.shape)}, max |diff| "
          f"{float((a.float() - b.float()).abs().max()) if a.shape == b.shape else 'n/a'})")
    pair_ratio = statistics.median(r / n for r, n in zip(router_s, native_s))
    print(f"warm execution, median of {args.runs}: router {router_median * 1000:.1f} ms, native graph "
          f"{native_median * 1000:.1f} ms, ratio {router_median / native_median:.3f} "
          f"(median of the per-pair ratios {pair_ratio:.3f})")
    names = sorted({k for t in stages for k in t})
    print("router stages, median s: " + ", ".join(f"{k} {statistics.median(t.get(k, 0) for t in stages):.3f}"
                                                   for k in names))
    print(f"routing overhead per prompt (decision + history write + report): median "
          f"{statistics.median(overhead_ms):.2f} ms, max {max(overhead_ms):.2f} ms")


if __name__ == "__main__":
    main()

"""/object_info time with N files in every model folder the loaders list (diffusion_models, text_encoders, vae,
clip_vision, loras): ComfyUI with this pack against ComfyUI without it (an empty folder in its place).

With the pack, every loader orders its lists by what each file's safetensors header says (model_loaders.file_ranking):
the first /object_info reads each header once; later ones find every file in the cache (path, size, mtime_ns).
The files are sparse real-shape headers of every kind the loaders know plus other families' models.

    python benchmarks/bench_object_info.py [--files 200] [--repeat 5] [--comfyui ~/ComfyUI]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "comfyui"), str(REPO)]
from comfyui_location import find_comfyui  # noqa: E402
from comfyui_server import ComfyUIServer  # noqa: E402
from component_headers import CLIP_VISIONS, TEXT_ENCODERS, VAES, component_shapes  # noqa: E402
from tiny_models import VARIANTS, write_sparse_checkpoint  # noqa: E402

FOLDERS = {"text_encoders": TEXT_ENCODERS, "vae": VAES, "clip_vision": CLIP_VISIONS}


def fill(models: Path, count: int) -> None:
    variants = [v for v, spec in VARIANTS.items() if not spec.large]
    for i in range(count):
        spec = VARIANTS[variants[i % len(variants)]]
        write_sparse_checkpoint(models / "diffusion_models" / f"model_{i:03d}.safetensors", spec.tensor_shapes(),
                                "BF16")
        for folder, kinds in FOLDERS.items():
            write_sparse_checkpoint(models / folder / f"{folder}_{i:03d}.safetensors",
                                    component_shapes(kinds[i % len(kinds)]), "BF16")
        modules = {f"diffusion_model.blocks.{b}.self_attn.q": (64, 64) for b in range(4)}
        lora = {f"{m}.lora_up.weight": (s[0], 4) for m, s in modules.items()}
        lora.update({f"{m}.lora_down.weight": (4, s[1]) for m, s in modules.items()})
        write_sparse_checkpoint(models / "loras" / f"lora_{i:03d}.safetensors", lora, "BF16")


def measure(comfyui: Path, pack: Path, workdir: Path, models: Path, repeat: int) -> tuple[float, list[float], int]:
    server = ComfyUIServer(comfyui, pack, workdir)
    server.prepare()
    for folder in ("diffusion_models", "text_encoders", "vae", "clip_vision", "loras"):
        target = server.model_folder(folder)
        target.rmdir()
        target.symlink_to(models / folder, target_is_directory=True)
    server.start()
    try:
        start = time.perf_counter()
        info = server.get("/object_info", timeout=600)
        first = time.perf_counter() - start
        warm = []
        for _ in range(repeat):
            start = time.perf_counter()
            server.get("/object_info", timeout=600)
            warm.append(time.perf_counter() - start)
        return first, warm, len(info)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=200, help="files per model folder")
    parser.add_argument("--repeat", type=int, default=5, help="warm /object_info calls")
    parser.add_argument("--comfyui", type=Path, default=None, help="ComfyUI checkout (default: COMFYUI_PATH/~/ComfyUI)")
    args = parser.parse_args()
    comfyui = args.comfyui.expanduser() if args.comfyui else find_comfyui()
    if comfyui is None:
        sys.exit("no ComfyUI checkout found: pass --comfyui or set COMFYUI_PATH")
    with tempfile.TemporaryDirectory(prefix="bench_object_info_") as tmp:
        tmp = Path(tmp)
        models = tmp / "models"
        for folder in ("diffusion_models", "loras", *FOLDERS):
            (models / folder).mkdir(parents=True)
        fill(models, args.files)
        (tmp / "no_pack").mkdir()
        print(f"ComfyUI {comfyui}; {args.files} files in each of 5 model folders; warm = median of {args.repeat}")
        rows = []
        for label, pack in (("without the pack", tmp / "no_pack"), ("with the pack", REPO)):
            first, warm, nodes = measure(comfyui, pack, tmp / label.replace(" ", "_"), models, args.repeat)
            rows.append((label, first, statistics.median(warm), nodes))
        print(f"{'':18} {'first /object_info':>19} {'warm /object_info':>18} {'node types':>11}")
        for label, first, warm, nodes in rows:
            print(f"{label:18} {first * 1000:16.0f} ms {warm * 1000:15.0f} ms {nodes:11d}")
        print(f"pack overhead: first {(rows[1][1] - rows[0][1]) * 1000:+.0f} ms, "
              f"warm {(rows[1][2] - rows[0][2]) * 1000:+.0f} ms")


if __name__ == "__main__":
    main()

"""Through a real ComfyUI server: the Inspector's ui output (what the node shows, and /history keeps) holds a
one-line human summary next to the JSON report, and the node's STRING output stays the JSON."""
import json

import pytest

from tiny_models import write_checkpoint

from model_loaders.description_summary import format_bytes, format_count

INSPECTOR = "StoryCoreCheckpointInspector"
CASES = [  # (variant, precision, what the first summary line starts and ends with)
    ("wan22_a14b_t2v_high_noise", "fp8_e4m3fn", "Wan 2.2 A14B T2V (high-noise expert) · fp8_e4m3fn · ",
     " · ComfyUI class WAN21_T2V"),
    ("qwen_image_edit_2511", "comfy_quant", "Qwen-Image-Edit-2511 · comfy_quant · ", " · ComfyUI class QwenImage"),
]


@pytest.fixture(scope="module")
def server(comfyui_server_workdir, tiny_models_dir, request):
    folder = comfyui_server_workdir / "models" / "diffusion_models"
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for variant, precision, *_ in CASES:
        source = write_checkpoint(variant, precision, tiny_models_dir)
        if not (folder / source.name).exists():
            (folder / source.name).symlink_to(source)
        names[variant] = source.name
    server = request.getfixturevalue("comfyui_server")
    server.summary_names = names
    return server


@pytest.mark.parametrize("variant,precision,starts,ends", CASES, ids=[c[0] for c in CASES])
def test_history_shows_the_summary_above_the_json(server, variant, precision, starts, ends):
    prompt = {"1": {"class_type": INSPECTOR, "inputs": {"model_name": server.summary_names[variant]}},
              # The STRING output, as a program wiring it would get it.
              "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}
    entry = server.run(prompt)
    assert entry["status"]["status_str"] == "success", json.dumps(entry["status"])[:3000]
    ui = entry["outputs"]["1"]
    summary = ui["summary"][0]
    report = json.loads(ui["text"][0])
    first_line = summary.splitlines()[0]
    assert first_line.startswith(starts) and first_line.endswith(ends), summary
    # The numbers are the report's own, in human units.
    assert f" · {format_count(report['parameter_count'])} params · {format_bytes(report['weight_bytes'])} · " in first_line
    assert json.loads(entry["outputs"]["2"]["text"][0]) == report  # the output socket carries the JSON

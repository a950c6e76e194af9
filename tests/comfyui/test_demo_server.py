"""The one-command demo (tests/demo.py) runs end to end on a real server: one prompt per capability, each output
file written and readable, each report saved, the server stopped."""
import json

from conftest import COMFYUI
from demo import CASES, run_demo


def test_demo_runs_every_capability(tmp_path):
    results = run_demo(COMFYUI, tmp_path / "demo")
    assert set(results) == set(CASES)
    for capability, result in results.items():
        assert result["workflow"].split(":")[1] == CASES[capability][0]
        assert result["files"] and all(f.is_file() and f.stat().st_size > 0 for f in result["files"])
        report = json.loads(result["report"].read_text())
        assert report["success"] and report["request"]["capability"] == capability

"""The one-command demo (tests/demo.py) runs end to end on a real server: one prompt per example, each the API-format
example with tiny stand-ins for its official files, covering every capability the router serves; the workflow the
example's loader names runs, each output file is written and readable, each report saved, the server stopped."""
import json

from conftest import COMFYUI
from demo import CASES, example_prompt, official_files, router_id, run_demo
from example_checks import SERVED_NOW


def test_demo_runs_every_capability(tmp_path):
    results = run_demo(COMFYUI, tmp_path / "demo")
    assert set(results) == set(CASES)
    releases, capabilities = official_files(), set()
    for case, result in results.items():
        prompt = example_prompt(case)
        loader = next(n for n in prompt.values() if n["class_type"].endswith("Loader"))
        assert result["workflow"].split(":")[1] == releases[loader["inputs"]["model_name"]][1]
        assert result["files"] and all(f.is_file() and f.stat().st_size > 0 for f in result["files"])
        report = json.loads(result["report"].read_text())
        assert report["success"] and report["request"]["capability"] == prompt[router_id(prompt)]["inputs"]["capability"]
        capabilities.add(report["request"]["capability"])
    assert capabilities >= set(SERVED_NOW)

"""Adding a model family touches one folder: a copy of the pack with a made-up fifth family ("Zeta",
tests/comfyui/fifth_family) added under model_loaders/families/ and nothing else changed detects its files,
validates them, has a loader node in real ComfyUI and routes to its workflow."""
import shutil
import subprocess
import sys
from pathlib import Path

from component_headers import write_component
from tiny_models import write_sparse_checkpoint

REPO_ROOT = Path(__file__).resolve().parents[2]
FAMILY_FOLDER = Path(__file__).resolve().parent / "fifth_family"

CHECK = r"""
import asyncio, json, sys
sys.path.insert(0, {comfyui!r})
import comfy.options
comfy.options.enable_args_parsing(False)
import comfy.cli_args
comfy.cli_args.args.cpu = True
import folder_paths, nodes
for kind in ("diffusion_models", "text_encoders", "vae", "clip_vision", "loras"):
    folder_paths.add_model_folder_path(kind, {models!r} + "/" + kind)
assert asyncio.run(nodes.load_custom_node({pack!r})) is not False
package = next(name for name, m in sys.modules.items()
               if getattr(m, "__file__", None) == {pack!r} + "/__init__.py")
families = sys.modules[package + ".model_loaders.families"]
routing = sys.modules[package + ".routing"]
inspection = sys.modules[package + ".model_loaders.inspection"]

# detected
description = inspection.inspect_checkpoint({models!r} + "/diffusion_models/zeta_v1.safetensors")
assert (description.family, description.variant) == ("zeta", "zeta_v1"), description
# listed by a loader node, validated
loader = nodes.NODE_CLASS_MAPPINGS["StoryCoreZetaLoader"]
schema_inputs = [i.id for i in loader.define_schema().inputs]
assert schema_inputs[:3] == ["model_name", "text_encoder", "vae"], schema_inputs
inputs = dict(model_name="zeta_v1.safetensors", text_encoder="clip_l.safetensors", vae="ae.safetensors",
              lora_1="none", lora_1_strength=1.0, lora_2="none", lora_2_strength=1.0, precision="auto")
import execution  # ComfyUI's own prompt validation (the loaders leave list and range checks to it)
valid, errors, _ = asyncio.run(execution.validate_inputs("p", {{"1": {{"class_type": "StoryCoreZetaLoader",
                                                                        "inputs": inputs}}}}, "1", {{}}))
assert valid, errors
workflow = loader.execute(**inputs).args[0]
assert (workflow.family, workflow.variant, sorted(map(str, workflow.capabilities))) == \
    ("zeta", "zeta_v1", ["text_to_image"])
def problem(node, **given):
    try:
        node.execute(**given)
    except Exception as exc:
        return str(exc)
    raise AssertionError(f"{{node.__name__}} accepted {{given}}")


assert "needs the FLUX VAE (ae.safetensors); wan_2.1_vae.safetensors is the Wan 2.1 VAE" in \
    problem(loader, **dict(inputs, vae="wan_2.1_vae.safetensors"))
# another family's loader sends a Zeta file to the Zeta loader
wan = nodes.NODE_CLASS_MAPPINGS["StoryCoreWanLoader"]
assert "is a Zeta checkpoint (Zeta 1) — use the StoryCore Zeta Loader" in problem(
    wan, **dict(inputs, low_noise_model_name="none", clip_vision="none"))
# routed, with the family's own template defaults and prior
config = routing.config_from_dict({{}}, families.routing_defaults())
assert config.defaults_for("zeta", "zeta_v1", "text_to_image").steps == 8
registry = routing.WorkflowRegistry()
registry.register(workflow)
decision = routing.Router(registry, None, config).route(
    routing.WorkflowRequest("a cat", "text_to_image", width=512, height=512, steps=8), "best_quality")
assert decision.selected == workflow.name, decision
assert decision.candidate(workflow.name).terms["quality_prior"] == 0.99
print("ok")
"""


def _copy_of_the_pack(target: Path) -> Path:
    pack = target / "any-folder name_here"
    shutil.copytree(REPO_ROOT, pack, ignore=shutil.ignore_patterns(".git", "tests", "benchmarks", "__pycache__",
                                                                    "*.safetensors", ".ci", "example_workflows"))
    return pack


def test_a_fifth_family_is_one_new_folder(comfyui, tmp_path):
    pack = _copy_of_the_pack(tmp_path)
    before = {p.relative_to(pack) for p in pack.rglob("*") if p.is_file()}
    shutil.copytree(FAMILY_FOLDER, pack / "model_loaders" / "families" / "zeta",
                    ignore=shutil.ignore_patterns("__pycache__"))
    added = {p.relative_to(pack) for p in pack.rglob("*") if p.is_file()} - before
    assert added == {Path("model_loaders/families/zeta/__init__.py")}

    models = tmp_path / "models"
    for kind in ("diffusion_models", "clip_vision", "loras"):
        (models / kind).mkdir(parents=True)
    # The layout fifth_family/__init__.py expects (that file imports the pack's base, so it is not imported here).
    zeta = {"zeta_in.weight": (64, 16), "zeta_blocks.0.proj.weight": (64, 64), "zeta_blocks.1.proj.weight": (64, 64)}
    write_sparse_checkpoint(models / "diffusion_models" / "zeta_v1.safetensors", zeta)
    write_component("clip_l", models / "text_encoders")
    write_component("flux_vae", models / "vae")
    write_component("wan21_vae", models / "vae")
    code = CHECK.format(comfyui=str(comfyui.path), models=str(models), pack=str(pack))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-4000:]
    assert out.stdout.strip().endswith("ok")

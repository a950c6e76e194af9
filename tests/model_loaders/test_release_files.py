"""The families' official release files (declarations.RELEASES) are those ComfyUI's official templates list: each
URL, folder and name as the named template's nodes give them (properties.models), and each variant's files are the
ones its loader takes (the companion kinds of its declaration)."""
import json
from pathlib import Path

import pytest

from component_headers import FILE_NAMES
from model_loaders.families import FAMILIES

RELEASES = [(family, variant, release) for family, module in FAMILIES.items()
            for variant, files in module.RELEASES.items() for release in files]


def template_models(template: str) -> list[dict]:
    templates = pytest.importorskip("comfyui_workflow_templates_json", reason="ComfyUI's templates package is not "
                                    "installed (it comes with ComfyUI's requirements)")
    workflow = json.loads((Path(templates.__file__).parent / "templates" / template).read_text())
    nodes = list(workflow.get("nodes", []))
    for subgraph in workflow.get("definitions", {}).get("subgraphs", []):
        nodes += subgraph.get("nodes", [])
    return [m for n in nodes if isinstance(n.get("properties"), dict) for m in n["properties"].get("models", [])]


@pytest.mark.parametrize("family,variant,release", [r for r in RELEASES if r[2].url],
                         ids=lambda value: getattr(value, "name", value))
def test_each_url_is_as_the_official_template_lists_it(family, variant, release):
    listed = template_models(release.template)
    entry = {"name": release.name, "url": release.url, "directory": release.folder}
    assert entry in [{k: m.get(k) for k in entry} for m in listed], (release.template, listed)


def test_every_variant_but_skyreels_and_the_sr_stage_has_its_files():
    for family, module in FAMILIES.items():
        missing = set(module.VARIANTS) - set(module.RELEASES)
        assert missing <= {"hunyuan_video_skyreels_i2v", "hunyuan_video_15_sr"}, (family, missing)


def test_each_variant_lists_the_companions_its_declaration_needs():
    for family, module in FAMILIES.items():
        for variant, files in module.RELEASES.items():
            declaration = module.DECLARATIONS[variant]
            by_folder = {}
            for release in files:
                by_folder.setdefault(release.folder, []).append(release)
            assert len(by_folder["text_encoders"]) == len(declaration.text_encoders), variant
            assert len(by_folder["vae"]) == 1 and len(by_folder["diffusion_models"]) >= 1, variant
            if declaration.clip_vision:
                (clip_vision,) = by_folder["clip_vision"]
                assert clip_vision.optional == (not declaration.clip_vision_required), variant
            else:
                assert "clip_vision" not in by_folder, variant
            # Where the tests know the official name of a companion kind, the release file has it.
            known = {FILE_NAMES[k] for k in declaration.text_encoders if k in FILE_NAMES}
            assert known <= {r.name for r in by_folder["text_encoders"]}, variant

"""The README's Models section lists, per family and variant, every official release file the families declare
(model_loaders/families/*/declarations.py RELEASES): its download link, its folder and whether it is optional."""
from pathlib import Path

from model_loaders.families import FAMILY_MODULES

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
MODELS = README[README.index("\n## Models\n"):README.index("\n## ", README.index("\n## Models\n") + 5)]


def test_every_release_file_is_listed_with_its_link_folder_and_optional_mark():
    for module in FAMILY_MODULES:
        section = MODELS[MODELS.index(f"### {module.DISPLAY_NAME} ({module.LOADER.display_name})"):]
        for variant, files in module.RELEASES.items():
            assert f"| {module.VARIANTS[variant]} |" in section, variant
            for release in files:
                link = f"[{release.name}]({release.url})" if release.url else release.name
                row = next((line for line in section.splitlines() if link in line), None)
                assert row is not None, (variant, release.name)
                assert f"`{release.folder}`" in row and ("optional" in row) == release.optional, row


def test_install_names_one_folder_and_uses_it():
    install = README[README.index("## Install"):README.index("\n## ", README.index("## Install") + 5)]
    assert "git clone <this repository> ComfyUI-StoryCore" in install
    assert "pip install -r ComfyUI-StoryCore/requirements.txt" in install

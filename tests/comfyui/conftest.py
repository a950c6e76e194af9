"""Fixtures of the ComfyUI tier: real ComfyUI, imported in-process on the CPU.

Every test under tests/comfyui/ is skipped with a clear reason when no ComfyUI checkout is found.
"""
import gc
import sys
from pathlib import Path
import types

import pytest

from comfyui_location import find_comfyui, skip_reason

COMFYUI = find_comfyui()


def pytest_collection_modifyitems(config, items):
    if COMFYUI is not None:
        return
    marker = pytest.mark.skip(reason=skip_reason())
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(marker)


def import_comfyui_in_process():
    """Import real ComfyUI on the CPU, the way ComfyUI's main.py would configure it."""
    # ComfyUI first on sys.path: its `nodes`, `folder_paths`, `utils` must win over anything else.
    if str(COMFYUI) in sys.path:
        sys.path.remove(str(COMFYUI))
    sys.path.insert(0, str(COMFYUI))
    import comfy.options
    comfy.options.enable_args_parsing(False)
    import comfy.cli_args
    comfy.cli_args.args.cpu = True  # must be set before comfy.model_management is imported
    import comfy.model_management
    import comfy.sd
    import comfy.sample
    import comfy.model_detection
    import folder_paths
    import comfyui_version
    return types.SimpleNamespace(path=COMFYUI, version=comfyui_version.__version__,
                                 comfy=comfy, folder_paths=folder_paths)


@pytest.fixture(scope="session")
def comfyui():
    """Real ComfyUI, imported once per test session (CPU only)."""
    if COMFYUI is None:
        pytest.skip(skip_reason())
    return import_comfyui_in_process()


REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def comfyui_server_workdir(tmp_path_factory):
    """The server's base folder; tests that need files in its model folders put them there first."""
    return tmp_path_factory.mktemp("comfyui_server")


@pytest.fixture(scope="session")
def comfyui_server(comfyui_server_workdir):
    """A real ComfyUI server on a free loopback port with this pack loaded through an extra model paths
    file. Always stopped at the end of the session, whatever happened."""
    if COMFYUI is None:
        pytest.skip(skip_reason())
    from comfyui_server import ComfyUIServer
    server = ComfyUIServer(COMFYUI, REPO_ROOT, comfyui_server_workdir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pack(comfyui, tmp_path_factory):
    """The pack loaded the way ComfyUI loads custom nodes, from a folder with an unusual name.
    Returns {node id: node class} of what it registered."""
    import asyncio
    import nodes
    custom_nodes = tmp_path_factory.mktemp("custom_nodes")
    link = custom_nodes / "storycore-pack.in_process"
    link.symlink_to(REPO_ROOT, target_is_directory=True)
    before = set(nodes.NODE_CLASS_MAPPINGS)
    assert asyncio.run(nodes.load_custom_node(str(link))) is not False
    return {k: nodes.NODE_CLASS_MAPPINGS[k] for k in set(nodes.NODE_CLASS_MAPPINGS) - before}


@pytest.fixture(scope="session")
def models_root(comfyui, tmp_path_factory):
    """A models folder registered with ComfyUI's folder_paths for every kind the loaders use."""
    root = tmp_path_factory.mktemp("models")
    for kind in ("diffusion_models", "text_encoders", "vae", "clip_vision", "loras", "latent_upscale_models",
                 "upscale_models"):
        (root / kind).mkdir()
        comfyui.folder_paths.add_model_folder_path(kind, str(root / kind))
    return root


@pytest.fixture
def free_models(comfyui):
    """After the test: forget the pack's model cache and let ComfyUI unload every model (tests that load)."""
    yield
    from model_loaders import model_cache
    model_cache.clear_cache()
    comfyui.comfy.model_management.unload_all_models()
    gc.collect()

"""Through a real ComfyUI server and its websocket, as the frontend sees it: a diffusion-model load moves the
StoryCore Workflow Models node's progress bar (bytes read, ending at the file's weight bytes), and ComfyUI's
Cancel (/interrupt) during a load stops it, keeps nothing, and the next run loads the file in full."""
import asyncio
import json
import shutil
import urllib.request
import uuid
from pathlib import Path

import pytest

from loader_files import loader_inputs

from model_loaders import read_safetensors_header

aiohttp = pytest.importorskip("aiohttp", reason="the websocket client comes with ComfyUI's aiohttp")


@pytest.fixture(scope="module")
def server(comfyui_server_workdir, tiny_models_dir, request):
    models_root = comfyui_server_workdir / "models"
    loader_inputs("wan", models_root, tiny_models_dir)  # text encoder and VAE in place before the server starts
    server = request.getfixturevalue("comfyui_server")
    server.models_root = models_root
    return server


def models_prompt(server, tiny_models_dir, model_name: str) -> dict:
    inputs = loader_inputs("wan", server.models_root, tiny_models_dir, model_name=model_name)
    return {"1": {"class_type": "StoryCoreWanLoader", "inputs": inputs},
            "2": {"class_type": "StoryCoreWorkflowModels", "inputs": {"workflow": ["1", 0]}},
            "3": {"class_type": "PreviewAny", "inputs": {"source": ["2", 0]}}}


def fresh_copy(server, source: Path) -> str:
    """A copy under a new name: a new prompt for ComfyUI's cache and a new file for the model cache."""
    name = f"{source.stem}_{uuid.uuid4().hex[:8]}.safetensors"
    shutil.copyfile(source, server.model_folder("diffusion_models") / name)
    return name


async def run_watching(server, prompt: dict, interrupt_at_first_progress: bool = False, timeout: float = 300):
    """Submit with our own client id and collect the websocket messages of this prompt until it ends."""
    client_id = uuid.uuid4().hex
    messages = []
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{server.base_url.replace('http', 'ws')}/ws?clientId={client_id}") as ws:
            async with session.post(f"{server.base_url}/prompt",
                                    json={"prompt": prompt, "client_id": client_id}) as response:
                body = await response.json()
                assert response.status == 200, body
            prompt_id = body["prompt_id"]
            interrupted = False
            async with asyncio.timeout(timeout):
                async for message in ws:
                    if message.type != aiohttp.WSMsgType.TEXT:
                        continue  # previews
                    event = json.loads(message.data)
                    data = event.get("data", {})
                    if data.get("prompt_id") not in (None, prompt_id):
                        continue
                    messages.append(event)
                    if (interrupt_at_first_progress and not interrupted and event["type"] == "progress"
                            and data.get("node") == "2"):
                        interrupted = True
                        async with session.post(f"{server.base_url}/interrupt", json={}) as answer:
                            assert answer.status == 200
                    if event["type"] in ("execution_success", "execution_error", "execution_interrupted"):
                        break
    return messages


def progress_of(messages, node="2") -> list[tuple[int, int]]:
    return [(m["data"]["value"], m["data"]["max"]) for m in messages
            if m["type"] == "progress" and m["data"].get("node") == node]


def test_the_node_progress_bar_counts_the_bytes_read(server, tiny_models_dir):
    from tiny_models import write_checkpoint
    source = write_checkpoint("wan21_t2v", "fp8_e4m3fn", tiny_models_dir)
    name = fresh_copy(server, source)
    messages = asyncio.run(run_watching(server, models_prompt(server, tiny_models_dir, name)))
    assert messages[-1]["type"] == "execution_success", json.dumps(messages[-1])[:2000]
    progress = progress_of(messages)
    total = read_safetensors_header(source).data_bytes
    assert progress and {m for _, m in progress} == {total}
    values = [v for v, _ in progress]
    assert values == sorted(values) and values[0] < total and values[-1] == total


def test_cancel_during_a_load_stops_it_and_the_next_run_loads_in_full(server, tiny_models_dir):
    import load_probe
    source = load_probe.write_wan_fp8(Path(tiny_models_dir) / "wan21_t2v_1gb_fp8_e4m3fn.safetensors", "1gb")
    name = fresh_copy(server, source)  # ~0.95 GB: about 30 pieces, a second or more to read
    try:
        prompt = models_prompt(server, tiny_models_dir, name)
        messages = asyncio.run(run_watching(server, prompt, interrupt_at_first_progress=True))
        assert messages[-1]["type"] == "execution_interrupted", json.dumps(messages[-1])[:2000]
        assert messages[-1]["data"]["node_id"] == "2"
        total = read_safetensors_header(source).data_bytes
        assert all(value < total for value, _ in progress_of(messages))
        # Nothing was kept: the same prompt again reads the whole file (a cached model would read nothing).
        again = asyncio.run(run_watching(server, prompt))
        assert again[-1]["type"] == "execution_success", json.dumps(again[-1])[:2000]
        assert progress_of(again)[-1] == (total, total)
    finally:
        # The 1 GB model leaves the server's memory (ComfyUI's /free) and its copy the disk.
        request = urllib.request.Request(f"{server.base_url}/free", headers={"Content-Type": "application/json"},
                                         data=json.dumps({"unload_models": True, "free_memory": True}).encode())
        urllib.request.urlopen(request, timeout=30).close()
        (server.model_folder("diffusion_models") / name).unlink()

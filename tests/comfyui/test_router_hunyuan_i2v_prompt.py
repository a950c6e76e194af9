"""HunyuanVideo 1.0 I2V's prompt path inside real ComfyUI (in process): with a prompt and the LLaVA vision tower,
the router encodes with ComfyUI's own CLIPVisionEncode + TextEncodeHunyuanVideo_ImageToVideo (its I2V llama
template, the start image's mm_projected embeds, image_interleave 2) and samples the tiny I2V model to the end.

The 8B LLaVA text encoder and its vision tower cannot be made tiny, so only those two model objects are stand-ins
that record what ComfyUI's nodes ask of them and answer with outputs of the real shapes; the nodes, the diffusion
model, the VAE, sampling and saving are real. Without a vision tower the prompt goes through CLIPTextEncode (with a
note), and with CONDITIONING given neither encoder is loaded."""
import types

import pytest
import torch

from component_headers import write_component
from tiny_models import write_checkpoint

pytestmark = pytest.mark.usefixtures("free_models")

CONTEXT, POOLED, TOKENS = 4096, 768, 7


class RecordingClip:
    """Stands in for the clip-l + llava-llama3 CLIP object: records tokenize calls, encodes to real shapes."""

    def __init__(self):
        self.tokenized = []

    def tokenize(self, text, **kwargs):
        self.tokenized.append(dict(kwargs, text=text))
        return {"text": text}

    def encode_from_tokens_scheduled(self, tokens, **kwargs):
        gen = torch.Generator().manual_seed(len(tokens["text"]))
        return [[torch.randn((1, TOKENS, CONTEXT), generator=gen),
                 {"pooled_output": torch.randn((1, POOLED), generator=gen)}]]


class RecordingVision:
    """Stands in for llava_llama3_vision: records encode_image calls, answers with mm_projected embeds."""

    def __init__(self):
        self.encoded = []
        self.output = types.SimpleNamespace(mm_projected=torch.randn((1, 576, CONTEXT)))

    def encode_image(self, image, crop=True):
        self.encoded.append({"shape": tuple(image.shape), "crop": crop})
        return self.output


EXTRA_NODE_FILES = ("nodes_hunyuan.py", "nodes_model_advanced.py", "nodes_flux.py")


@pytest.fixture(scope="module")
def hunyuan_nodes(comfyui):
    """ComfyUI's built-in nodes this recipe runs (HunyuanVideo, ModelSamplingSD3, FluxGuidance), registered the way
    ComfyUI registers comfy_extras (in process only nodes.py's own nodes are there; a server loads them all)."""
    import asyncio

    import nodes
    for name in EXTRA_NODE_FILES:
        path = comfyui.path / "comfy_extras" / name
        assert asyncio.run(nodes.load_custom_node(str(path), module_parent="comfy_extras")) is not False
    from comfy_extras import nodes_hunyuan
    assert "TextEncodeHunyuanVideo_ImageToVideo" in nodes.NODE_CLASS_MAPPINGS
    return nodes_hunyuan


@pytest.fixture
def output_dir(comfyui, tmp_path, monkeypatch):
    monkeypatch.setattr(comfyui.folder_paths, "output_directory", str(tmp_path / "output"))
    (tmp_path / "output").mkdir()
    return tmp_path / "output"


def i2v_workflow(tmp_path, tiny_models_dir, clip_vision: bool, loads: list):
    from model_loaders.model_workflow import build_model_workflow
    from tiny_models import VARIANTS
    model = tmp_path / f"{VARIANTS['hunyuan_video_i2v_concat'].file_stem}.safetensors"
    model.write_bytes(write_checkpoint("hunyuan_video_i2v_concat", "bf16", tiny_models_dir).read_bytes())
    workflow = build_model_workflow(
        "hunyuan_video", models={"model": model},
        text_encoders=[write_component("clip_l", tmp_path), write_component("llama3_8b_llava", tmp_path)],
        vae=write_component("hunyuan_video_vae", tmp_path),
        clip_vision=write_component("llava_llama3_vision", tmp_path) if clip_vision else None,
        loras=[], precision="auto")
    assert workflow.variant == "hunyuan_video_i2v_concat"
    clip, vision = RecordingClip(), RecordingVision()

    def load_text_encoder():
        loads.append("text_encoder")
        return clip

    def load_clip_vision():
        loads.append("clip_vision")
        return vision if workflow.validated.files.get("clip_vision") is not None else None
    workflow.load_text_encoder = load_text_encoder
    workflow.load_clip_vision = load_clip_vision
    return workflow, clip, vision


def route(workflow, tmp_path, positive=None, negative=None):
    from model_loaders.sampling.router_inputs import RouterInputs
    from model_loaders.sampling.routing_run import run_router, services
    from model_loaders.sampling.settings import Overrides
    image = torch.rand((1, 64, 64, 3), generator=torch.Generator().manual_seed(3))
    svc = services(history_dir=tmp_path / "history")
    inputs = RouterInputs(
        overrides=Overrides(width=64, height=64, frames=5, steps=1, cfg=1.0, shift=7.0, sampler="euler",
                            scheduler="simple", seed=5),
        config=svc.configs.get(), image=image, positive=positive, negative=negative, filename_prefix="hy_i2v_test")
    with torch.inference_mode():  # as ComfyUI's executor runs a node
        outputs, report = run_router(prompt="a fox turns its head", negative_prompt="blurry",
                                     capability="image_to_video", strategy="config", inputs=inputs,
                                     workflows=[("workflow_1", workflow)], context_width_of=lambda wf: CONTEXT)
    return outputs, report, image


def test_prompt_with_the_vision_tower_goes_through_comfyuis_image_to_video_text_encoder(
        hunyuan_nodes, output_dir, tmp_path, tiny_models_dir):
    loads = []
    workflow, clip, vision = i2v_workflow(tmp_path, tiny_models_dir, clip_vision=True, loads=loads)
    outputs, report, image = route(workflow, tmp_path)
    assert report["success"], report["error"]
    assert sorted(loads) == ["clip_vision", "text_encoder"]
    assert vision.encoded == [{"shape": tuple(image.shape), "crop": True}]  # CLIPVisionEncode crop "center"
    assert [t["text"] for t in clip.tokenized] == ["a fox turns its head", "blurry"]
    for call in clip.tokenized:
        assert call["llama_template"] == hunyuan_nodes.PROMPT_TEMPLATE_ENCODE_VIDEO_I2V
        assert call["image_embeds"] is vision.output.mm_projected
        assert call["image_interleave"] == 2
    assert list(outputs["images"].shape) == [5, 64, 64, 3]
    assert report["attempts"][0]["timings_s"]["encode"] > 0
    assert list(output_dir.iterdir())


def test_prompt_without_the_vision_tower_is_plain_text_with_a_note(hunyuan_nodes, output_dir, tmp_path,
                                                                    tiny_models_dir):
    loads = []
    workflow, clip, _ = i2v_workflow(tmp_path, tiny_models_dir, clip_vision=False, loads=loads)
    _, report, _ = route(workflow, tmp_path)
    assert report["success"], report["error"]
    assert [t["text"] for t in clip.tokenized] == ["a fox turns its head", "blurry"]
    assert all("llama_template" not in t and "image_embeds" not in t for t in clip.tokenized)  # CLIPTextEncode
    assert any("no llava_llama3_vision" in n for n in report["attempts"][0]["settings_notes"])


def test_given_conditioning_loads_no_encoder(hunyuan_nodes, output_dir, tmp_path, tiny_models_dir):
    loads = []
    workflow, clip, vision = i2v_workflow(tmp_path, tiny_models_dir, clip_vision=True, loads=loads)
    positive = clip.encode_from_tokens_scheduled({"text": "given"})
    outputs, report, _ = route(workflow, tmp_path, positive=positive, negative=positive)
    assert report["success"], report["error"]
    assert loads == [] and clip.tokenized == [] and vision.encoded == []
    assert report["request"]["conditioning"].startswith("given")
    assert list(outputs["images"].shape) == [5, 64, 64, 3]

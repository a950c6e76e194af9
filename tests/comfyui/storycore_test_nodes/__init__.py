"""Test-only ComfyUI nodes, loaded into the test server next to the pack (never shipped).

- StoryCoreTestConditioning: random CONDITIONING of a family's real shapes (the families' text encoders cannot
  be made tiny), as (positive, negative).
- StoryCoreTestSamplingFault: passes a STORYCORE_WORKFLOW through after putting an APPLY_MODEL wrapper on its
  (cached) diffusion models, so that sampling that model raises ComfyUI's OOM exception, or sleeps per model call,
  from inside ComfyUI's sampler (writing <output dir>/storycore_test_fault_<fault>.started when it does). The router
  later gets the very same patcher from the pack's model cache.
- StoryCoreTestProbe: reports (ui text, JSON) the diffusion-model files opened for weight reading (os.open), the
  calls of comfy.model_management's cleanup functions and the model calls that met a fault since its last run,
  then resets them.
"""
import json
import os
import threading
import time

import torch

import comfy.model_management
import folder_paths
import comfy.patcher_extension
from comfy_api.latest import ComfyExtension, io, ui

_lock = threading.Lock()
_opened: list[str] = []
_cleanup_calls: dict[str, int] = {}
_fault_calls: dict[str, int] = {}  # fault -> model calls that met it
_faulty_models: list = []  # keeps the wrapped patchers alive, so the pack's weak-reference cache hands them out


def _record_open(original):
    def os_open(path, flags, *args, **kwargs):
        if isinstance(path, (str, os.PathLike)) and str(path).endswith(".safetensors"):
            with _lock:
                _opened.append(os.path.realpath(path))
        return original(path, flags, *args, **kwargs)
    return os_open


def _count(name, original):
    def counted(*args, **kwargs):
        with _lock:
            _cleanup_calls[name] = _cleanup_calls.get(name, 0) + 1
        return original(*args, **kwargs)
    return counted


os.open = _record_open(os.open)
for _name in ("unload_all_models", "soft_empty_cache", "free_memory"):
    setattr(comfy.model_management, _name, _count(_name, getattr(comfy.model_management, _name)))


class TestConditioning(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="StoryCoreTestConditioning", display_name="StoryCore Test Conditioning", category="StoryCore/test",
            inputs=[io.Int.Input("context_dim", default=4096, min=1, max=8192),
                    io.Int.Input("tokens", default=16, min=1, max=1024),
                    io.Int.Input("pooled_dim", default=0, min=0, max=8192, tooltip="0: no pooled output"),
                    io.Boolean.Input("pooled_key", default=False, tooltip="put pooled_output (None) in the dict"),
                    io.Int.Input("byt5_dim", default=0, min=0, max=8192, tooltip="0: no conditioning_byt5small"),
                    io.Int.Input("seed", default=0, min=0, max=2**31)],
            outputs=[io.Conditioning.Output("positive"), io.Conditioning.Output("negative")])

    @classmethod
    def execute(cls, context_dim, tokens, pooled_dim, pooled_key, byt5_dim, seed) -> io.NodeOutput:
        gen = torch.Generator().manual_seed(seed)
        out = []
        for _ in range(2):
            extra = {}
            if pooled_dim:
                extra["pooled_output"] = torch.randn((1, pooled_dim), generator=gen)
            elif pooled_key:
                extra["pooled_output"] = None
            if byt5_dim:
                extra["conditioning_byt5small"] = torch.randn((1, 8, byt5_dim), generator=gen)
            out.append([[torch.randn((1, tokens, context_dim), generator=gen), extra]])
        return io.NodeOutput(*out)


class TestSamplingFault(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="StoryCoreTestSamplingFault", display_name="StoryCore Test Sampling Fault",
            category="StoryCore/test",
            inputs=[io.Custom("STORYCORE_WORKFLOW").Input("workflow"),
                    io.Combo.Input("fault", options=["out_of_memory", "slow"]),
                    io.Float.Input("seconds_per_call", default=0.5, min=0.0, max=60.0)],
            outputs=[io.Custom("STORYCORE_WORKFLOW").Output("workflow")])

    @classmethod
    def execute(cls, workflow, fault, seconds_per_call) -> io.NodeOutput:
        marker = os.path.join(folder_paths.get_output_directory(), f"storycore_test_fault_{fault}.started")

        def wrapper(executor, *args, **kwargs):
            with _lock:
                _fault_calls[fault] = _fault_calls.get(fault, 0) + 1
            with open(marker, "w"):  # tells a waiting test that sampling has reached the faulty model
                pass
            if fault == "out_of_memory":
                raise comfy.model_management.OOM_EXCEPTION("CUDA out of memory (StoryCore test fault)")
            time.sleep(seconds_per_call)
            return executor(*args, **kwargs)

        for model in workflow.load_diffusion_models().values():
            model.add_wrapper_with_key(comfy.patcher_extension.WrappersMP.APPLY_MODEL, "storycore_test_fault",
                                       wrapper)
            _faulty_models.append(model)
        return io.NodeOutput(workflow)


class TestProbe(io.ComfyNode):
    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="StoryCoreTestProbe", display_name="StoryCore Test Probe", category="StoryCore/test",
            is_output_node=True,
            inputs=[io.String.Input("after", force_input=True, tooltip="wire the router's workflow output")],
            outputs=[])

    @classmethod
    def fingerprint_inputs(cls, **kwargs):
        return time.time()  # always runs

    @classmethod
    def execute(cls, after) -> io.NodeOutput:
        with _lock:
            report = {"opened": list(_opened), "cleanup_calls": dict(_cleanup_calls), "fault_calls": dict(_fault_calls)}
            _opened.clear()
            _cleanup_calls.clear()
            _fault_calls.clear()
        return io.NodeOutput(ui=ui.PreviewText(json.dumps(report)))


class TestExtension(ComfyExtension):
    async def get_node_list(self):
        return [TestConditioning, TestSamplingFault, TestProbe]


async def comfy_entrypoint():
    return TestExtension()

"""Requests, workflow rules and failure classification."""
from __future__ import annotations

import pytest

from routing import (
    BaseAdvancedWorkflow,
    Capability,
    ErrorKind,
    InvalidRequestError,
    OutOfMemoryError,
    RequestRules,
    RetryableWorkflowError,
    Strategy,
    WorkflowRequest,
    WorkflowType,
    classify_exception,
    latent_frame_count,
)
from routing.workflow import MemoryModel


def test_enum_values_are_lowercase_names():
    for enum in (Capability, Strategy, WorkflowType):
        for member in enum:
            assert member.value == member.name.lower()
    assert Capability("text_to_video") is Capability.TEXT_TO_VIDEO
    assert str(Strategy.ROUND_ROBIN) == "round_robin"


def test_request_parses_strings_and_derives_sizes():
    r = WorkflowRequest("p", "text_to_video", width=832, height=480, frames=81, steps=20, cfg=6.0, strategy="fastest")
    assert r.capability is Capability.TEXT_TO_VIDEO and r.strategy is Strategy.FASTEST
    assert r.latent_frames == 21 == latent_frame_count(81)
    assert r.work_units == 20 * 21 * 832 * 480 * 2
    assert r.token_count(16) == 21 * 30 * 52
    image = WorkflowRequest("p", Capability.TEXT_TO_IMAGE, width=1024, height=1024, frames=81, cfg=1.0)
    assert image.latent_frames == 1  # frames ignored for image capabilities
    assert image.work_units == 20 * 1024 * 1024  # cfg <= 1: single pass


def test_request_rejects_bad_fields_with_every_reason():
    with pytest.raises(InvalidRequestError) as info:
        WorkflowRequest("p", Capability.TEXT_TO_VIDEO, width=0, steps=-1, cfg=-2, quality_mode="ultra")
    text = str(info.value)
    assert "width=0 must be a positive integer" in text
    assert "steps=-1" in text and "cfg=-2" in text and "quality_mode='ultra'" in text
    assert len(info.value.reasons) == 4
    with pytest.raises(InvalidRequestError, match="unknown capability 'txt2vid'"):
        WorkflowRequest("p", "txt2vid")


@pytest.fixture
def wan() -> BaseAdvancedWorkflow:
    return BaseAdvancedWorkflow(
        name="wan22_5b", family="wan", variant="2.2_ti2v_5b", workflow_type=WorkflowType.VIDEO,
        capabilities={Capability.TEXT_TO_VIDEO: 0.8, Capability.IMAGE_TO_VIDEO: 0.8},
        parameter_count=5_000_000_000, weight_bytes=5_000_000_000,
        rules=RequestRules(resolution_multiple=32, max_frames=121),
    )


def test_validate_request_gives_precise_reasons(wan):
    ok = WorkflowRequest("p", Capability.TEXT_TO_VIDEO, width=1280, height=704, frames=121)
    assert wan.validate_request(ok) == []
    bad = WorkflowRequest("p", Capability.IMAGE_TO_VIDEO, width=830, height=704, frames=80)
    assert wan.validate_request(bad) == [
        "width=830 is not a multiple of 32 (use 800 or 832)",
        "frames=80 is not 4n+1 (use 77 or 81)",
        "image_to_video needs an input image",
    ]
    long = WorkflowRequest("p", Capability.TEXT_TO_VIDEO, width=1280, height=704, frames=125)
    assert wan.validate_request(long) == ["frames=125 exceeds the maximum of 121"]
    small = WorkflowRequest("p", Capability.TEXT_TO_VIDEO, width=16, height=704, frames=1)
    assert wan.validate_request(small) == ["width=16 is not a multiple of 32 (use 32)"]


def test_validate_request_multiple_of_16_example():
    wf = BaseAdvancedWorkflow(name="w", family="wan", capabilities={"text_to_video": 0.8})
    r = WorkflowRequest("p", Capability.TEXT_TO_VIDEO, width=830, height=480, frames=81)
    assert wf.validate_request(r) == ["width=830 is not a multiple of 16 (use 816 or 832)"]


def test_validate_request_unsupported_capability(wan):
    r = WorkflowRequest("p", Capability.IMAGE_EDITING, width=1024, height=1024, has_image=True)
    assert wan.validate_request(r) == [
        "wan22_5b does not support image_editing (supports: image_to_video, text_to_video)"
    ]


def test_required_inputs_defaults_and_overrides():
    editor = BaseAdvancedWorkflow(name="qwen_edit", family="qwen_image", workflow_type="image",
                                  capabilities={Capability.IMAGE_EDITING: 0.9})
    r = WorkflowRequest("p", Capability.IMAGE_EDITING, width=1024, height=1024)
    assert editor.validate_request(r) == ["image_editing needs an input image"]
    assert editor.validate_request(r.with_changes(has_image=True)) == []
    inpaint = BaseAdvancedWorkflow(
        name="vace", family="wan", capabilities={Capability.VIDEO_INPAINTING: 0.8},
        rules=RequestRules(required_inputs={Capability.VIDEO_INPAINTING: frozenset({"video", "mask"})}),
    )
    r = WorkflowRequest("p", Capability.VIDEO_INPAINTING, frames=81)
    assert inpaint.validate_request(r) == ["video_inpainting needs an input mask",
                                           "video_inpainting needs an input video"]


def test_memory_model_weights_plus_activations():
    wf = BaseAdvancedWorkflow(name="w", family="wan", capabilities={"text_to_video": 0.8}, weight_bytes=10_000,
                              memory_model=MemoryModel(activation_bytes_per_token=100, overhead_bytes=7))
    r = WorkflowRequest("p", Capability.TEXT_TO_VIDEO, width=160, height=160, frames=5, cfg=1.0)
    assert wf.estimate_memory(r) == 10_000 + 7 + 100 * (2 * 10 * 10)
    assert wf.estimate_memory(r.with_changes(cfg=4.0)) == 10_000 + 7 + 2 * 100 * 200  # cond + uncond


def test_subclass_with_class_attributes_and_execute():
    class Tiny(BaseAdvancedWorkflow):
        name = "tiny"
        family = "newbie"
        workflow_type = WorkflowType.IMAGE
        capabilities = {Capability.ANIME_GENERATION: 0.9}

        def execute(self, request):
            return {"image": request.prompt}

    wf = Tiny()
    assert wf.name == "tiny" and wf.supports(Capability.ANIME_GENERATION)
    assert wf.execute(WorkflowRequest("hello", Capability.ANIME_GENERATION)) == {"image": "hello"}
    with pytest.raises(NotImplementedError):
        BaseAdvancedWorkflow(name="x", capabilities={"text_to_image": 0.5}).execute(
            WorkflowRequest("p", "text_to_image"))


class OutOfMemoryErrorLike(RuntimeError):
    pass


OutOfMemoryErrorLike.__name__ = "OutOfMemoryError"  # what torch.cuda.OutOfMemoryError looks like


class InterruptProcessingException(BaseException):  # new ComfyUI: not an Exception
    pass


class OldInterruptProcessingException(Exception):
    pass


OldInterruptProcessingException.__name__ = "InterruptProcessingException"


@pytest.mark.parametrize(
    "exc, kind",
    [
        (OutOfMemoryError("x"), ErrorKind.OUT_OF_MEMORY),
        (OutOfMemoryErrorLike("CUDA error"), ErrorKind.OUT_OF_MEMORY),
        (RuntimeError("CUDA Out Of Memory. Tried to allocate 2 GiB"), ErrorKind.OUT_OF_MEMORY),
        (MemoryError(), ErrorKind.OUT_OF_MEMORY),
        (RetryableWorkflowError("flaky"), ErrorKind.RETRYABLE),
        (InvalidRequestError("bad"), ErrorKind.INVALID_REQUEST),
        (InterruptProcessingException(), ErrorKind.INTERRUPTED),
        (OldInterruptProcessingException(), ErrorKind.INTERRUPTED),
        (KeyboardInterrupt(), ErrorKind.INTERRUPTED),
        (ValueError("boom"), ErrorKind.ERROR),
    ],
)
def test_classify_exception(exc, kind):
    assert classify_exception(exc) is kind


def test_classify_exception_configured_retryable_names():
    class ConnectionResetError_(Exception):
        pass

    exc = ConnectionResetError_("peer reset")
    assert classify_exception(exc) is ErrorKind.ERROR
    assert classify_exception(exc, ["ConnectionResetError_"]) is ErrorKind.RETRYABLE

"""Super resolution is a video or an image request by its inputs, and each workflow serves it for its own output
type only: an image (and no video) is upscaled by an image workflow, a video (or nothing) by a video workflow."""
import pytest

from routing import BaseAdvancedWorkflow, Capability, WorkflowRegistry, WorkflowRequest, WorkflowType, is_video_request

SR = Capability.SUPER_RESOLUTION


def workflow(kind: WorkflowType) -> BaseAdvancedWorkflow:
    return BaseAdvancedWorkflow(name=f"sr_{kind}", family="f", variant="v", workflow_type=kind,
                                capabilities={SR: 0.8}, parameter_count=1, weight_bytes=1)


@pytest.mark.parametrize("has_image,has_video,video", [(False, False, True), (False, True, True),
                                                       (True, False, False), (True, True, True)])
def test_super_resolution_request_type_follows_its_inputs(has_image, has_video, video):
    assert is_video_request(SR, has_image=has_image, has_video=has_video) is video
    request = WorkflowRequest("p", SR, has_image=has_image, has_video=has_video, frames=5 if video else 1)
    assert request.is_video is video
    assert request.latent_frames == (2 if video else 1)


def test_other_capabilities_keep_their_type():
    assert is_video_request(Capability.TEXT_TO_VIDEO, has_image=True, has_video=False)
    assert not is_video_request(Capability.IMAGE_EDITING, has_image=True, has_video=False)


def test_an_image_workflow_may_declare_super_resolution():
    registry = WorkflowRegistry()
    registry.register(workflow(WorkflowType.IMAGE))
    assert not [i for i in registry.validate() if i.severity == "error"]


def test_each_workflow_serves_its_own_output_type():
    image_request = WorkflowRequest("p", SR, has_image=True)
    video_request = WorkflowRequest("p", SR, frames=5)
    image_wf, video_wf = workflow(WorkflowType.IMAGE), workflow(WorkflowType.VIDEO)
    assert image_wf.validate_request(image_request) == []
    assert video_wf.validate_request(video_request) == []
    (why,) = image_wf.validate_request(video_request)
    assert "of images: it needs an input image" in why
    (why,) = video_wf.validate_request(image_request)
    assert "of videos" in why and "wire the frames to video" in why

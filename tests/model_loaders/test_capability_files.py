"""Capabilities that come with a file: Qwen-Image-Edit-2509's relighting only with a Relight / Light-Migration LoRA
(its header fits Qwen-Image, its name says which), and Qwen-Image-Layered only with the RGBA (4-channel) VAE.
Checked from headers, as the loader node does; the router's per-request rules through ModelWorkflow."""
import pytest

from component_headers import linear_modules, lora_shapes, write_component
from model_loaders.families.qwen_image.keys import qwen_image_tensor_shapes
from model_loaders.families.wan.keys import wan_tensor_shapes
from model_loaders.loader_validation import LoaderValidationError, validate_loader_inputs
from model_loaders.model_workflow import ModelWorkflow
from routing import WorkflowRequest
from tiny_models import write_sparse_checkpoint, write_wan21_vae

RELIGHT = "Qwen-Image-Edit-2509-Relight.safetensors"
MIGRATION = "Qwen-Image-Edit-2509-Light-Migration.safetensors"


@pytest.fixture(scope="module")
def files(tmp_path_factory, tiny_models_dir):
    d = tmp_path_factory.mktemp("capability_files")
    qwen_lora = lora_shapes(linear_modules(qwen_image_tensor_shapes(1), "transformer_blocks."))
    return {
        "te": write_component("qwen25_7b_vl", d),
        "vae": write_wan21_vae(tiny_models_dir),
        "rgba_vae": write_wan21_vae(tiny_models_dir, image_channels=4),
        "2509": write_sparse_checkpoint(d / "qwen_image_edit_2509_tiny.safetensors", qwen_image_tensor_shapes(1)),
        "2511": write_sparse_checkpoint(d / "qwen_image_edit_2511_tiny.safetensors",
                                        qwen_image_tensor_shapes(1, index_timestep_zero=True)),
        "layered": write_sparse_checkpoint(d / "qwen_image_layered_tiny.safetensors",
                                           qwen_image_tensor_shapes(1, additional_t_cond=True)),
        "relight": write_sparse_checkpoint(d / RELIGHT, qwen_lora),
        "migration": write_sparse_checkpoint(d / MIGRATION, qwen_lora),
        "style": write_sparse_checkpoint(d / "qwen_style.safetensors", qwen_lora),
        "wan_relight": write_sparse_checkpoint(d / "wan_relight.safetensors", lora_shapes(
            linear_modules(wan_tensor_shapes(128, 256, 1, 16, 16), "blocks."))),
    }


def qwen(files, model, loras=(), vae="vae"):
    return validate_loader_inputs("qwen_image", models={"model": files[model]}, text_encoders=[files["te"]],
                                  vae=files[vae], loras=[(files[name], 1.0) for name in loras])


@pytest.mark.parametrize("loras,relights", [((), False), (("style",), False), (("relight",), True),
                                            (("migration",), True), (("style", "migration"), True)])
def test_2509_relights_only_with_a_relight_lora(files, loras, relights):
    validated = qwen(files, "2509", loras)
    assert validated.variant == "qwen_image_edit_2509"
    assert ("image_relighting" in validated.capabilities) == relights
    assert "image_editing" in validated.capabilities


def test_2511_has_no_relighting_even_with_the_lora(files):
    assert qwen(files, "2511", ("relight",)).capabilities == ("image_editing",)


def test_a_relight_named_lora_of_another_family_is_refused(files):
    with pytest.raises(LoaderValidationError, match="wan_relight.safetensors is a LoRA for Wan"):
        qwen(files, "2509", ("wan_relight",))


def request(capability, **inputs):
    return WorkflowRequest(prompt="warm evening light", capability=capability, width=64, height=64, frames=1,
                           has_image=True, **inputs)


def test_the_router_says_which_lora_to_attach(files):
    workflow = ModelWorkflow(qwen(files, "2509"))
    (reason,) = workflow.validate_request(request("image_relighting"))
    assert "only with its LoRA attached" in reason and MIGRATION in reason and RELIGHT in reason


def test_light_migration_needs_a_reference_image(files):
    workflow = ModelWorkflow(qwen(files, "2509", ("migration",)))
    (reason,) = workflow.validate_request(request("image_relighting"))
    assert "wire reference_image" in reason and RELIGHT in reason
    assert workflow.validate_request(request("image_relighting", reference_images=1)) == []
    relight = ModelWorkflow(qwen(files, "2509", ("relight",)))
    assert relight.validate_request(request("image_relighting")) == []


def test_layered_needs_the_rgba_vae(files):
    with pytest.raises(LoaderValidationError) as err:
        qwen(files, "layered")
    (problem,) = err.value.problems
    assert "needs a VAE with 4 image channels (qwen_image_layered_vae.safetensors)" in problem and "has 3" in problem
    assert qwen(files, "layered", vae="rgba_vae").capabilities == ("layered_generation",)

"""Optional companion files on a loader (families.base.OptionalCompanion, model_loaders.companion_files): declared per
variant with a component type, kind, folder and the capabilities they serve; identified from their header like
every other file; recorded in the validated workflow; a capability with optional parts is served only with all of
them, and the loader note / router reason says which part is missing. Wan-Alpha's alpha_vae is the declared case."""
import pytest

from component_headers import write_component
from model_loaders.companion_files import COMPONENT_TYPES, component_type, register_component_type
from model_loaders.families.base import CapabilityLora, OptionalCompanion, OptionalModel, VariantDeclaration
from model_loaders.file_ranking import rank_files, slot_fit
from model_loaders.loader_validation import LoaderValidationError, declared_companions, validate_loader_inputs
from model_loaders.families import FAMILIES
from model_loaders.model_workflow import ModelWorkflow
from routing import WorkflowRequest
from tiny_models import write_checkpoint, write_wan21_vae
from tiny_models.wan_alpha import ALPHA_LORA_FILE, write_alpha_lora, write_alpha_vae

ALPHA_VAE = "wan_alpha_2.1_vae_alpha_channel.safetensors"
ALPHA_LORA = "wan_alpha_2.1_rgba_lora.safetensors"


@pytest.fixture(scope="module")
def files(tmp_path_factory, tiny_models_dir):
    d = tmp_path_factory.mktemp("companions")
    return {"t2v": write_checkpoint("wan21_t2v", "bf16", tiny_models_dir),
            "i2v": write_checkpoint("wan21_i2v", "bf16", tiny_models_dir),
            "te": write_component("umt5_xxl", d), "clip_vision": write_component("clip_vision_h", d),
            "vae": write_wan21_vae(tiny_models_dir), "alpha_vae": write_alpha_vae(tiny_models_dir),
            "flux_vae": write_component("flux_vae", d), "lora": write_alpha_lora(tiny_models_dir),
            "style_lora": write_alpha_lora(d, "wan_style_lora.safetensors")}


def wan(files, model="t2v", loras=(), **companions):
    return validate_loader_inputs("wan", models={"model": files[model]}, text_encoders=[files["te"]],
                                  vae=files["vae"], clip_vision=files["clip_vision"] if model == "i2v" else None,
                                  loras=[(files[name], 1.0) for name in loras],
                                  companions={role: files[name] for role, name in companions.items()})


def request(capability="alpha_video"):
    return WorkflowRequest(prompt="a fox. The background of this video is transparent.", capability=capability,
                           width=64, height=64, frames=5)


def test_the_alpha_vae_is_validated_and_recorded(files):
    validated = wan(files, loras=("lora",), alpha_vae="alpha_vae")
    assert validated.capabilities == ("text_to_video", "text_to_image", "alpha_video")
    assert validated.files["alpha_vae"] == files["alpha_vae"]
    desc = validated.companions["alpha_vae"]
    assert (desc.kind, desc.role, desc.file_name) == ("wan21_vae", "vae", files["alpha_vae"].name)
    assert validated.companion_bytes == desc.weight_bytes > 0
    workflow = ModelWorkflow(validated)
    summary = workflow.summary()
    assert summary["files"]["alpha_vae"] == files["alpha_vae"].name
    assert summary["memory_estimate"]["all_files_bytes"] == (
        validated.weight_bytes + validated.text_encoder_bytes + validated.vae_bytes + validated.lora_bytes
        + desc.weight_bytes)
    assert workflow.has_companion("alpha_vae") and workflow.validate_request(request()) == []


def test_a_companion_of_another_kind_names_the_file_what_it_is_and_what_the_input_needs(files):
    with pytest.raises(LoaderValidationError) as excinfo:
        wan(files, loras=("lora",), alpha_vae="flux_vae")
    (problem,) = excinfo.value.problems
    name = files["flux_vae"].name
    assert problem.startswith(f"{name} is a FLUX VAE") and "given as alpha_vae" in problem
    assert "alpha_vae needs a Wan 2.1 VAE" in problem and ALPHA_VAE in problem


def test_a_file_that_is_no_vae_at_all_is_refused_as_alpha_vae(files):
    with pytest.raises(LoaderValidationError) as excinfo:
        wan(files, alpha_vae="lora")
    (problem,) = excinfo.value.problems
    assert problem.startswith("alpha_vae: ") and f"{ALPHA_LORA_FILE} is a LoRA, not a VAE" in problem
    assert "alpha_vae needs a Wan 2.1 VAE" in problem


def test_a_companion_is_refused_for_a_variant_that_takes_none(files):
    with pytest.raises(LoaderValidationError) as excinfo:
        wan(files, model="i2v", alpha_vae="alpha_vae")
    (problem,) = excinfo.value.problems
    assert "alpha_vae is only for Wan 2.1 T2V" in problem and "remove it for Wan 2.1 I2V" in problem


def test_an_unknown_companion_input_is_refused(files):
    with pytest.raises(LoaderValidationError, match="unknown companion input 'depth_vae'.*takes alpha_vae"):
        wan(files, depth_vae="alpha_vae")


def test_without_a_model_the_companion_is_still_checked_against_the_family(files):
    with pytest.raises(LoaderValidationError) as excinfo:
        validate_loader_inputs("wan", models={}, text_encoders=[files["te"]], vae=files["vae"],
                               companions={"alpha_vae": files["flux_vae"]})
    assert any("given as alpha_vae" in p for p in excinfo.value.problems), excinfo.value.problems


@pytest.mark.parametrize("loras,companions,missing", [
    ((), {}, (ALPHA_LORA, ALPHA_VAE)),
    (("lora",), {}, (ALPHA_VAE,)),
    ((), {"alpha_vae": "alpha_vae"}, (ALPHA_LORA,)),
    (("style_lora",), {"alpha_vae": "alpha_vae"}, (ALPHA_LORA,)),  # a Wan LoRA, but not named as Wan-Alpha's
])
def test_alpha_video_needs_every_part_and_the_router_says_which_is_missing(files, loras, companions, missing):
    validated = wan(files, loras=loras, **companions)
    assert "alpha_video" not in validated.capabilities
    workflow = ModelWorkflow(validated)
    (reason,) = workflow.validate_request(request())
    assert "serves alpha_video only with its LoRA and alpha_vae attached" in reason, reason
    for part in (ALPHA_LORA, ALPHA_VAE):
        assert (part in reason) == (part in missing), reason
    assert ("(models/vae) as alpha_vae" in reason) == (ALPHA_VAE in missing)
    # A part given alone: the loader's note says what else alpha_video needs.
    notes = [n for n in validated.notes if "alpha_video also needs" in n]
    assert len(notes) == (1 if len(missing) == 1 else 0), validated.notes
    assert workflow.validate_request(request("text_to_video")) == []


def test_declarations_collect_each_companion_input_once():
    companions = declared_companions(FAMILIES["wan"])
    assert list(companions) == ["alpha_vae"]
    alpha = companions["alpha_vae"]
    assert (alpha.component, alpha.kind, alpha.folder, alpha.adds) == ("vae", "wan21_vae", "vae", ("alpha_video",))
    assert "alpha_video" in FAMILIES["wan"].DECLARATIONS["wan21_t2v"].all_capabilities()


def test_the_companion_file_list_puts_files_of_its_kind_first(files):
    fit = slot_fit("wan", "alpha_vae")
    assert (fit.folder, fit.accepted, fit.component) == ("vae", ("wan21_vae",), "vae")
    names = [("flux.safetensors", str(files["flux_vae"])), ("alpha.safetensors", str(files["alpha_vae"]))]
    assert rank_files(names, fit) == ["alpha.safetensors", "flux.safetensors"]


# -- the generic parts, on a declaration of no real family -------------------------------------------------------
UPSAMPLER = OptionalCompanion("latent_upsampler", "some_upsampler", "latent_upscale_models", ("super_resolution",),
                              tooltip="t", example_file="upsampler.safetensors")
SR_MODEL = OptionalModel("sr_variant", ("super_resolution",), "sr.safetensors")
DECL = VariantDeclaration(("text_to_video",), "video", (), "wan21_vae", "wan",
                          optional_models={"sr_model": SR_MODEL}, companions={"latent_upsampler": UPSAMPLER},
                          capability_loras=(CapabilityLora("super_resolution", r"sharp", "sharp_lora.safetensors"),))


@pytest.mark.parametrize("models,companions,loras,missing", [
    ((), (), (), 3),
    (("sr_model",), ("latent_upsampler",), (), 1),
    (("sr_model",), (), ("my_sharp.safetensors",), 1),
    (("sr_model",), ("latent_upsampler",), ("my_sharp.safetensors",), 0),
])
def test_missing_parts_lists_each_declared_part_not_given(models, companions, loras, missing):
    found = DECL.missing_parts("super_resolution", models=models, companions=companions, lora_names=loras)
    assert len(found) == missing, found
    if "latent_upsampler" not in companions:
        assert "upsampler.safetensors (models/latent_upscale_models) as latent_upsampler" in found
    assert DECL.missing_parts("text_to_video") == []  # the variant's own capability needs no optional part


def test_component_types_are_pluggable():
    assert component_type("vae").what == "VAE"
    with pytest.raises(KeyError, match="no component type 'nothing_yet'"):
        component_type("nothing_yet")
    try:
        register_component_type("test_kind", what="test file", identify=lambda p: None, load=lambda p: "loaded")
        assert component_type("test_kind").load("x") == "loaded"
    finally:
        COMPONENT_TYPES.pop("test_kind", None)

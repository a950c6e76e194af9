"""ModelWorkflow.execute: resolve this attempt's settings, run the family's recipe for the capability, and
return the outputs with the attempt's own peak memory (routing's ExecutionOutput)."""
from __future__ import annotations

import importlib

from .settings import SettingsError, resolve_settings

_FAMILY_PACKAGE = __name__.rsplit(".", 2)[0] + ".families"


def family_recipes(family: str):
    """The family's recipes module (model_loaders/families/<family>/recipes.py), imported only when sampling."""
    return importlib.import_module(f"{_FAMILY_PACKAGE}.{family}.recipes")


def settings_for(workflow, request, inputs):
    """(Settings, notes) for this workflow: explicit values, else its template in the routing config."""
    recipes = family_recipes(workflow.family)
    defaults = inputs.config.family(workflow.family).defaults_for(request.capability, workflow.variant)
    return resolve_settings(inputs.overrides, defaults, multiple=workflow.rules.resolution_multiple,
                            video=request.is_video, shift_node=recipes.SHIFT_NODE,
                            where=f"{workflow.family} variant {workflow.variant} ({request.capability})")


def execute(workflow, request):
    from .job import SamplingJob
    from .routing_types import ExecutionOutput, InvalidRequestError

    inputs = request.payload
    recipes = family_recipes(workflow.family)
    recipe = recipes.RECIPES.get(str(request.capability))
    if recipe is None:
        raise InvalidRequestError(f"{workflow.name}: the StoryCore router has no {request.capability} recipe for "
                                  f"{workflow.family} yet")
    try:
        settings, notes = settings_for(workflow, request, inputs)
    except SettingsError as exc:
        raise InvalidRequestError(str(exc)) from None
    job = SamplingJob(workflow, request, inputs, settings, notes, video=request.is_video)
    inputs.settings_by_workflow[workflow.name] = (settings, job.notes)
    inputs.timings_by_workflow[workflow.name] = job.measure.timings  # filled as the stages run, also on failure
    inputs.stages_by_workflow[workflow.name] = job.stages
    result = recipe(job)
    outputs = {"images": result.images, "latent": result.latent, "mask": result.mask, "ui": result.ui}
    return ExecutionOutput(outputs, peak_memory_bytes=job.measure.peak_bytes())

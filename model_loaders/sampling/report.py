"""The router's report (JSON): the normalised request, each candidate's score terms or exclusion reason, every
attempt, the final settings and the timing breakdown of the attempt that produced the result."""
from __future__ import annotations


def _shape(value):
    shape = getattr(value, "shape", None)
    return list(shape) if shape is not None else None


def decision_view(decision) -> dict | None:
    """The decision part of a report (also what the dry-run route answers)."""
    if decision is None:
        return None
    return {"selected": decision.selected, "fallbacks": list(decision.fallbacks),
            "confidence": decision.confidence, "predicted_time_s": decision.predicted_time_s,
            "predicted_memory_bytes": decision.predicted_memory_bytes,
            "prediction_basis": decision.prediction_basis,
            "time_basis": decision.selected_candidate.time_basis,
            "predicted_time_range_s": _range(decision.predicted_time_range_s), "explanation": decision.explain()}


def _range(value):
    return list(value) if value is not None else None


def build_report(request, result, inputs, notes, overhead_s: float) -> dict:
    decision = result.decision
    outputs = result.outputs or {}
    attempts = []
    for a in result.attempts:
        settings = inputs.settings_by_workflow.get(a.workflow)
        attempts.append({
            "workflow": a.workflow, "outcome": str(a.outcome), "error": a.error_message,
            "error_class": a.error_class, "time_s": round(a.execution_time_s, 4),
            "peak_memory_bytes": a.peak_memory_bytes,
            "settings_notes": settings[1] if settings else [],
            "timings_s": {k: round(v, 4) for k, v in inputs.timings_by_workflow.get(a.workflow, {}).items()},
            "sampling_stages": inputs.stages_by_workflow.get(a.workflow, []),
        })
    final = inputs.settings_by_workflow.get(result.workflow) if result.success else None
    attempt_time = sum(a.execution_time_s for a in result.attempts)
    return {
        "success": result.success,
        "workflow": result.workflow,
        "request": {
            "capability": str(request.capability), "strategy": str(decision.strategy) if decision else None,
            "width": request.width, "height": request.height, "frames": request.frames, "steps": request.steps,
            "cfg": request.cfg, "seed": request.seed, "inputs": sorted(request.inputs_present()),
            "conditioning": "given (prompt not encoded; only workflows of its context width are candidates)"
            if inputs.has_conditioning else "encoded from the prompt",
            "memory_budget_bytes": request.memory_budget_bytes, "time_limit_s": request.time_limit_s,
            "notes": list(notes),
        },
        "decision": decision_view(decision),
        "candidates": [] if decision is None else [c.to_dict() for c in decision.candidates],
        "attempts": attempts,
        "settings": final[0].to_dict() if final else None,
        "timings_s": attempts[-1]["timings_s"] if result.success else None,
        "output": {"images_shape": _shape(outputs.get("images")),
                   "latent_shape": _shape((outputs.get("latent") or {}).get("samples")),
                   "mask_shape": _shape(outputs.get("mask")),
                   "files": (outputs.get("ui") or {}).get("images", [])} if result.success else None,
        "routing_overhead_ms": round(max(0.0, overhead_s - attempt_time) * 1000, 3),
        "error": result.error,
    }


def summary_text(report: dict) -> str:
    """The report in a few lines, shown on the node: the choice, its settings, each candidate's predicted time
    with its basis (or why it was excluded) and every attempt."""
    lines = [f"{report['request']['capability']} -> {report['workflow']}"]
    s = report.get("settings") or {}
    if s:
        lines.append(f"{s['width']}x{s['height']}x{s['frames']}, {s['steps']} steps, cfg {s['cfg']:g}, shift "
                     f"{s['shift']:g}, {s['sampler']}/{s['scheduler']}, seed {s['seed']}")
    for c in report.get("candidates") or []:
        why = c["prediction_basis"] if c["eligible"] else f"excluded - {c['excluded_reason']}"
        lines.append(f"{c['workflow']}: {why}")
    for a in report["attempts"]:
        lines.append(f"attempt {a['workflow']}: {a['outcome']} in {a['time_s']:.2f}s")
    return "\n".join(lines)

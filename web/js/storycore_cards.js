// What the StoryCore nodes' cards show, as [label, value, tone] rows from a node's JSON report. Plain functions
// (no DOM, no app): the router's and the loaders' reports -> rows; also used by the sidebar panel's formatting.

export const GIB = 1024 ** 3;

export function gib(bytes) {
  if (bytes === null || bytes === undefined) return "not measured";
  if (bytes < GIB) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / GIB).toFixed(1)} GiB`;
}

export function seconds(s) {
  if (s === null || s === undefined) return "-";
  return s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(0)} s`;
}

function count(n) {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} B` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : String(n);
}

// "wan:wan21_t2v:wan2.1_t2v_14B_fp8:auto" -> "wan2.1_t2v_14B_fp8 (wan21_t2v)": the file stem says most.
export function shortName(workflow) {
  if (!workflow) return "-";
  const [family, variant, stem, ...rest] = String(workflow).split(":");
  if (!stem) return String(workflow);
  const loras = rest.slice(1).length ? ` + ${rest.slice(1).join(", ")}` : "";
  return `${stem}${loras} (${variant || family})`;
}

function ratio(actual, predicted) {
  if (!actual || !predicted) return "";
  const r = actual / predicted;
  return ` (${r >= 1 ? "+" : ""}${Math.round((r - 1) * 100)} %)`;
}

export function routerRows(report) {
  if (!report || typeof report !== "object" || !report.request) return null;
  const decision = report.decision || {};
  const attempts = report.attempts || [];
  const last = attempts[attempts.length - 1] || {};
  const s = report.settings;
  const rows = [
    ["Workflow", shortName(report.workflow), report.success ? "good" : "warn"],
    ["Capability", `${report.request.capability} · strategy ${report.request.strategy ?? "-"}` +
      (decision.confidence !== undefined ? ` · confidence ${decision.confidence.toFixed(2)}` : "")],
    // A workflow without measured runs has only a size-based estimate ("bootstrap"): no percentage for it.
    ["Time", decision.time_basis === "bootstrap"
      ? `estimated ${seconds(decision.predicted_time_s)} (no measured run yet) · actual ${seconds(last.time_s)}`
      : `predicted ${seconds(decision.predicted_time_s)} · actual ${seconds(last.time_s)}` +
        ratio(last.time_s, decision.predicted_time_s)],
    ["Memory", `predicted ${gib(decision.predicted_memory_bytes)} · peak ${gib(last.peak_memory_bytes)}` +
      ratio(last.peak_memory_bytes, decision.predicted_memory_bytes)],
  ];
  const failed = attempts.slice(0, -1);
  rows.push(["Fallback", failed.length
    ? failed.map((a) => `${shortName(a.workflow)}: ${a.outcome}`).join("\n") + `\n→ ${shortName(last.workflow)}`
    : "none", failed.length ? "warn" : undefined]);
  if (s) {
    rows.push(["Settings", `${s.width}×${s.height}${s.frames > 1 ? `×${s.frames}` : ""}, ${s.steps} steps, ` +
      `cfg ${s.cfg}, shift ${s.shift}, ${s.sampler}/${s.scheduler}, seed ${s.seed}`]);
  }
  const files = report.output?.files || [];
  if (files.length) rows.push(["Saved", files.map((f) => f.filename).join(", ")]);
  const others = (decision.fallbacks || []).length;
  rows.push(["Candidates", `${(report.candidates || []).filter((c) => c.eligible).length} eligible, ` +
    `${(report.candidates || []).filter((c) => !c.eligible).length} excluded` +
    (others ? `; next: ${decision.fallbacks.map(shortName).join(", ")}` : "")]);
  return rows;
}

export function loaderRows(summary) {
  if (!summary || typeof summary !== "object" || !summary.family) return null;
  const p = summary.precision || {};
  const rows = [
    ["Family", summary.family],
    ["Variant", summary.variant_name ? `${summary.variant_name} (${summary.variant})` : summary.variant],
    ["Precision", `${p.requested ?? "-"} · stored ${p.stored ?? "-"} · weights ${p.weight_dtype ?? "-"}`],
    ["Size", `${gib(summary.weight_bytes)} diffusion model` +
      (summary.parameter_count ? `, ${count(summary.parameter_count)} parameters` : "") +
      (summary.memory_estimate?.all_files_bytes ? ` · all files ${gib(summary.memory_estimate.all_files_bytes)}` : "")],
    ["Serves", (summary.capabilities || []).join(", ") || "-"],
  ];
  const loras = summary.loras || [];
  if (loras.length) rows.push(["LoRAs", loras.map((l) => `${l.file} @ ${l.strength}`).join(", ")]);
  const notes = summary.notes || [];
  rows.push(["Notes", notes.length ? notes.join("\n") : "none", notes.length ? "warn" : undefined]);
  return rows;
}

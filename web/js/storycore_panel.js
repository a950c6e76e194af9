// The StoryCore sidebar tab: health, the capability matrix of the workflows this server's loaders registered, the
// run statistics and a small chart of time per run per workflow, from the pack's /storycore routes. Refreshes after
// every prompt (the `execution_success` / `executed` api events) while it is open. Frontends without the sidebar
// API (app.extensionManager.registerSidebarTab) get no panel; the routes still answer.
import { app } from "../../../scripts/app.js";
import { api } from "../../../scripts/api.js";
import { gib, seconds, shortName } from "./storycore_cards.js";

const TAB_ID = "storycore-router";
const COLORS = ["#4e9af1", "#f08c3a", "#5cbf6a", "#d660c8", "#e5c84a", "#55c4c4", "#e05858", "#9b8cf0"];
const CSS = `
.storycore-panel{font:12px sans-serif;color:var(--fg-color,#ddd);padding:8px;display:flex;flex-direction:column;gap:10px;
  overflow:auto;height:100%;box-sizing:border-box}
.storycore-panel h3{font-size:13px;margin:0 0 4px}
.storycore-panel table{border-collapse:collapse;width:100%}
.storycore-panel th,.storycore-panel td{border-bottom:1px solid var(--border-color,#444);padding:2px 4px;text-align:left}
.storycore-panel td.num{text-align:right;font-variant-numeric:tabular-nums}
.storycore-panel .ok{color:#7cc87c}.storycore-panel .bad{color:#f07070}.storycore-panel .muted{color:#999}
`;

let container = null; // the open panel's element
let refreshing = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "title") node.title = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

async function getJson(route) {
  const response = await api.fetchApi(route, { cache: "no-store" });
  const body = await response.json();
  if (!response.ok) throw new Error(body?.error?.message || `HTTP ${response.status}`);
  return body;
}

function healthSection(health) {
  const problems = [...(health.registry_issues || [])];
  if (health.store && !health.store.ok) problems.push(`history: ${health.store.error}`);
  if (health.config && !health.config.loaded) problems.push(`config ${health.config.path}: ${health.config.last_error}`);
  return el("section", { class: "storycore-health" },
    el("h3", {}, "Health"),
    el("div", { class: health.ok ? "ok" : "bad" }, health.ok ? "ok" : "needs attention"),
    el("div", { class: "muted" }, `${health.workflows} workflow(s) · history ${health.store?.rows ?? 0} run(s) · ` +
      `config ${health.config?.source ?? "-"}`),
    ...problems.map((p) => el("div", { class: "bad" }, p)));
}

function matrixSection(registry) {
  const caps = registry.capabilities.filter((c) => Object.keys(registry.capability_matrix[c] || {}).length);
  const section = el("section", { class: "storycore-matrix" }, el("h3", {}, "Capability matrix"));
  if (!registry.workflows.length) {
    section.append(el("div", { class: "muted" }, "No workflow yet: run a StoryCore loader node once."));
    return section;
  }
  const head = el("tr", {}, el("th", {}, "workflow"), ...caps.map((c) => el("th", { title: c }, c.replaceAll("_", " "))));
  const rows = registry.workflows.map((w) => el("tr", {},
    el("td", { title: w.name }, shortName(w.name)),
    ...caps.map((c) => {
      const cell = registry.capability_matrix[c]?.[w.name];
      if (!cell) return el("td", { class: "muted" }, "·");
      return el("td", { class: cell.runnable ? "ok" : "muted", title: cell.runnable ? "runs today" : "declared, no recipe yet" },
        cell.prior.toFixed(2));
    })));
  section.append(el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows)));
  return section;
}

function statsSection(stats) {
  // One block per workflow and capability: the sidebar is narrow, a wide table would not fit.
  const section = el("section", { class: "storycore-stats" }, el("h3", {}, "History"));
  if (!stats.stats.length) {
    section.append(el("div", { class: "muted" }, "No runs recorded yet: queue a prompt with the router."));
    return section;
  }
  const rows = stats.stats.map((s) => el("tr", {},
    el("td", {},
      el("div", { title: s.workflow }, `${shortName(s.workflow)} · ${s.capability}`),
      el("div", { class: "muted" },
        `${s.runs} run(s) · success ${s.success_rate === null ? "-" : `${Math.round(s.success_rate * 100)} %`} · ` +
        `median ${seconds(s.median_time_s)} · p90 ${seconds(s.p90_time_s)} · ` +
        `peak ${s.peak_memory_bytes === null ? "-" : gib(s.peak_memory_bytes)} · ` +
        `trend ${s.trend ? `${s.trend.direction} (${Math.round(s.trend.change * 100)} %)` : "-"}`),
      s.last_error_class ? el("div", { class: "bad" }, `last error: ${s.last_error_class}`) : "")));
  section.append(el("table", {}, el("tbody", {}, ...rows)));
  return section;
}

function chartSection(stats) {
  const section = el("section", { class: "storycore-chart" }, el("h3", {}, "Time per run"));
  const runs = stats.runs.filter((r) => r.outcome === "success").reverse(); // oldest first
  if (!runs.length) return section;
  const names = [...new Set(runs.map((r) => r.workflow))];
  const width = 320, height = 120, pad = 24;
  const max = Math.max(...runs.map((r) => r.time_s)) || 1;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", "100%");
  const axis = document.createElementNS(ns, "text");
  axis.setAttribute("x", "2"); axis.setAttribute("y", "10"); axis.setAttribute("fill", "#999");
  axis.setAttribute("font-size", "9");
  axis.textContent = seconds(max);
  const base = document.createElementNS(ns, "line");
  for (const [k, v] of [["x1", pad], ["x2", width - 4], ["y1", height - 12], ["y2", height - 12]]) base.setAttribute(k, v);
  base.setAttribute("stroke", "#666");
  const zero = document.createElementNS(ns, "text");
  zero.setAttribute("x", "2"); zero.setAttribute("y", String(height - 9)); zero.setAttribute("fill", "#999");
  zero.setAttribute("font-size", "9");
  zero.textContent = "0 s";
  svg.append(axis, base, zero);
  names.forEach((name, i) => {
    const points = runs.map((r, k) => [r, k]).filter(([r]) => r.workflow === name).map(([r, k]) => [
      pad + (runs.length > 1 ? (k / (runs.length - 1)) * (width - pad - 4) : (width - pad) / 2),
      height - 12 - (r.time_s / max) * (height - 26)]);
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", points.map((p) => p.join(",")).join(" "));
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", COLORS[i % COLORS.length]);
    line.setAttribute("stroke-width", "1.5");
    svg.append(line);
    for (const [x, y] of points) {
      const dot = document.createElementNS(ns, "circle");
      dot.setAttribute("cx", x); dot.setAttribute("cy", y); dot.setAttribute("r", "2.5");
      dot.setAttribute("fill", COLORS[i % COLORS.length]);
      svg.append(dot);
    }
  });
  section.append(svg, ...names.map((name, i) => el("div", { title: name },
    el("span", { style: `color:${COLORS[i % COLORS.length]}` }, "● "), shortName(name))));
  return section;
}

// `opening`: the tab is being rendered (its element may not be in the document yet); otherwise refresh only an
// open panel.
export async function refreshPanel(opening = false) {
  if (!container || (!opening && !container.isConnected)) return;
  if (refreshing) return refreshing;
  refreshing = (async () => {
    try {
      const [health, registry, stats] = await Promise.all([
        getJson("/storycore/health"), getJson("/storycore/registry"), getJson("/storycore/stats?limit=200")]);
      container.replaceChildren(healthSection(health), matrixSection(registry), statsSection(stats),
        chartSection(stats));
      container.dataset.refreshed = String(Date.now());
    } catch (error) {
      container.replaceChildren(el("div", { class: "bad" }, `StoryCore routes unavailable: ${error.message}`));
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

app.registerExtension({
  name: "storycore.advanced_workflows.panel",
  async setup() {
    const manager = app.extensionManager;
    if (typeof manager?.registerSidebarTab !== "function") return; // an older frontend: no sidebar API
    const style = document.createElement("style");
    style.textContent = CSS;
    document.head.append(style);
    manager.registerSidebarTab({
      id: TAB_ID,
      icon: "pi pi-sitemap",
      title: "StoryCore",
      tooltip: "StoryCore router: workflows, capabilities, history",
      type: "custom",
      render: (element) => {
        container = el("div", { class: "storycore-panel" }, el("div", { class: "muted" }, "loading…"));
        element.replaceChildren(container);
        refreshPanel(true);
      },
    });
    // After each prompt (and each output node), while the panel is open.
    let timer = null;
    const later = () => { clearTimeout(timer); timer = setTimeout(refreshPanel, 300); };
    api.addEventListener("execution_success", later);
    api.addEventListener("executed", later);
  },
});

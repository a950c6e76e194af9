// Shows the report a StoryCore node returns on the node. The router and the loaders get a readable card (what
// ran, predicted against actual, the fallback; family, variant, precision, size, notes) with the full JSON report
// folded underneath; other nodes show their `ui.summary` lines above `ui.text` in a read-only box.
import { app } from "../../../scripts/app.js"; // served at /extensions/<pack>/js/
import { loaderRows, routerRows } from "./storycore_cards.js";

const REPORT_WIDGET = "storycore_report";
const REPORT_HEIGHT = 220;
const CARD_NODES = { StoryCoreAdvancedRouter: routerRows };

function joined(value) {
  if (value === undefined || value === null) return "";
  return Array.isArray(value) ? value.join("\n") : String(value);
}

function cardRowsFor(nodeName) {
  if (CARD_NODES[nodeName]) return CARD_NODES[nodeName];
  return nodeName.startsWith("StoryCore") && nodeName.endsWith("Loader") ? loaderRows : null;
}

function createReportWidget(node) {
  const box = document.createElement("div");
  box.className = "storycore-report";
  box.style.cssText = "display:flex;flex-direction:column;gap:4px;width:100%;height:100%;box-sizing:border-box;" +
    "overflow:auto;";
  const summary = document.createElement("div");
  summary.className = "storycore-report-summary";
  summary.style.cssText = "font:600 12px sans-serif;white-space:pre-wrap;padding:2px 4px;" +
    "color:var(--input-text,#ddd);display:none;";
  const card = document.createElement("table");
  card.className = "storycore-card";
  card.style.cssText = "font:12px sans-serif;color:var(--input-text,#ddd);border-collapse:collapse;display:none;";
  const area = document.createElement("textarea");
  area.className = "storycore-report-text";
  area.readOnly = true;
  area.style.cssText = "flex:1;width:100%;min-height:80px;font:11px monospace;resize:none;box-sizing:border-box;";
  const fold = document.createElement("details");
  fold.className = "storycore-report-json";
  const label = document.createElement("summary");
  label.textContent = "full report (JSON)";
  label.style.cssText = "font:11px sans-serif;color:var(--descrip-text,#999);cursor:pointer;";
  fold.append(label);
  box.append(summary, card, area);
  const widget = node.addDOMWidget(REPORT_WIDGET, "storycore_report", box, {
    getValue: () => area.value,
    setValue: (v) => { area.value = v; },
    getMinHeight: () => REPORT_HEIGHT,
    serialize: false,
  });
  Object.assign(widget, { element: box, summaryElement: summary, cardElement: card, textElement: area,
                          foldElement: fold });
  return widget;
}

function fillCard(table, rows) {
  table.replaceChildren();
  for (const [name, value, tone] of rows) {
    const tr = table.insertRow();
    const th = document.createElement("th");
    th.textContent = name;
    th.style.cssText = "text-align:left;padding:1px 8px 1px 4px;color:var(--descrip-text,#aaa);font-weight:600;" +
      "vertical-align:top;white-space:nowrap;";
    const td = tr.insertCell();
    td.textContent = value;
    td.style.cssText = "padding:1px 4px;white-space:pre-wrap;word-break:break-word;" +
      (tone === "warn" ? "color:#f0b040;" : tone === "good" ? "color:#7cc87c;" : "");
    tr.prepend(th);
  }
}

function showReport(node, text, summary, rows) {
  let widget = node.widgets?.find((w) => w.name === REPORT_WIDGET);
  const created = !widget;
  if (!widget) {
    widget = typeof node.addDOMWidget === "function"
      ? createReportWidget(node)
      : node.addWidget("text", REPORT_WIDGET, "", () => {}, { serialize: false });
  }
  if (widget.textElement) {
    widget.summaryElement.textContent = summary;
    widget.summaryElement.style.display = summary && !rows ? "block" : "none";
    widget.cardElement.style.display = rows ? "table" : "none";
    if (rows) {
      fillCard(widget.cardElement, rows);
      // The JSON stays available for copying, folded away under the card.
      if (widget.textElement.parentElement !== widget.foldElement) widget.foldElement.append(widget.textElement);
      if (!widget.foldElement.isConnected) widget.element.append(widget.foldElement);
    }
    widget.textElement.value = text;
    widget.value = text;
  } else {
    widget.value = summary ? `${summary}\n\n${text}` : text;
  }
  if (created) {
    // Grow the node so the report has room (the frontend does not resize on its own after execution).
    const needed = node.computeSize?.();
    if (needed) node.setSize?.([Math.max(node.size[0], 560), Math.max(node.size[1], needed[1])]);
  }
  node.setDirtyCanvas?.(true, true);
}

function parsed(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

app.registerExtension({
  name: "storycore.advanced_workflows.report",
  async beforeRegisterNodeDef(nodeType, nodeData) {
    if (!nodeData?.name?.startsWith("StoryCore")) return;
    const toRows = cardRowsFor(nodeData.name);
    const onExecuted = nodeType.prototype.onExecuted;
    nodeType.prototype.onExecuted = function (output) {
      onExecuted?.apply(this, arguments);
      const text = joined(output?.text);
      const summary = joined(output?.summary);
      const report = toRows && text ? parsed(text) : null;
      const rows = report ? toRows(report) : null;
      if (text || summary) showReport(this, text, summary, rows);
    };
  },
});

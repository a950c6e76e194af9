// Shows the report a StoryCore node returns on the node: its `ui.summary` (a few human lines, if any) above its
// `ui.text` (the full report, often JSON) in a read-only box.
import { app } from "../../../scripts/app.js"; // served at /extensions/<pack>/js/

const REPORT_WIDGET = "storycore_report";
const REPORT_HEIGHT = 220;

function joined(value) {
  if (value === undefined || value === null) return "";
  return Array.isArray(value) ? value.join("\n") : String(value);
}

function createReportWidget(node) {
  const box = document.createElement("div");
  box.className = "storycore-report";
  box.style.cssText = "display:flex;flex-direction:column;gap:4px;width:100%;height:100%;box-sizing:border-box;";
  const summary = document.createElement("div");
  summary.className = "storycore-report-summary";
  summary.style.cssText = "font:600 12px sans-serif;white-space:pre-wrap;padding:2px 4px;" +
    "color:var(--input-text,#ddd);display:none;";
  const area = document.createElement("textarea");
  area.className = "storycore-report-text";
  area.readOnly = true;
  area.style.cssText = "flex:1;width:100%;min-height:80px;font:11px monospace;resize:none;box-sizing:border-box;";
  box.append(summary, area);
  const widget = node.addDOMWidget(REPORT_WIDGET, "storycore_report", box, {
    getValue: () => area.value,
    setValue: (v) => { area.value = v; },
    getMinHeight: () => REPORT_HEIGHT,
    serialize: false,
  });
  widget.element = box;
  widget.summaryElement = summary;
  widget.textElement = area;
  return widget;
}

function showReport(node, text, summary) {
  let widget = node.widgets?.find((w) => w.name === REPORT_WIDGET);
  const created = !widget;
  if (!widget) {
    widget = typeof node.addDOMWidget === "function"
      ? createReportWidget(node)
      : node.addWidget("text", REPORT_WIDGET, "", () => {}, { serialize: false });
  }
  if (widget.textElement) {
    widget.summaryElement.textContent = summary;
    widget.summaryElement.style.display = summary ? "block" : "none";
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

app.registerExtension({
  name: "storycore.advanced_workflows.report",
  async beforeRegisterNodeDef(nodeType, nodeData) {
    if (!nodeData?.name?.startsWith("StoryCore")) return;
    const onExecuted = nodeType.prototype.onExecuted;
    nodeType.prototype.onExecuted = function (output) {
      onExecuted?.apply(this, arguments);
      const text = joined(output?.text);
      const summary = joined(output?.summary);
      if (text || summary) showReport(this, text, summary);
    };
  },
});

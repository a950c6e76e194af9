// Shows the text report a StoryCore node returns (its `ui.text`) in a read-only box on the node.
import { app } from "../../../scripts/app.js"; // served at /extensions/<pack>/js/

const REPORT_WIDGET = "storycore_report";
const REPORT_HEIGHT = 220;

function showReport(node, text) {
  let widget = node.widgets?.find((w) => w.name === REPORT_WIDGET);
  if (!widget) {
    if (typeof node.addDOMWidget === "function") {
      const area = document.createElement("textarea");
      area.readOnly = true;
      area.style.cssText = "width:100%;height:100%;font:11px monospace;resize:none;";
      widget = node.addDOMWidget(REPORT_WIDGET, "storycore_report", area, {
        getValue: () => area.value,
        setValue: (v) => { area.value = v; },
        getMinHeight: () => REPORT_HEIGHT,
        serialize: false,
      });
      widget.element = area;
      // Grow the node so the report has room (the frontend does not resize on its own after execution).
      const needed = node.computeSize?.();
      if (needed) node.setSize?.([Math.max(node.size[0], 420), Math.max(node.size[1], needed[1])]);
    } else {
      widget = node.addWidget("text", REPORT_WIDGET, "", () => {}, { serialize: false });
    }
  }
  if (widget.element) widget.element.value = text;
  widget.value = text;
  node.setDirtyCanvas?.(true, true);
}

app.registerExtension({
  name: "storycore.advanced_workflows.report",
  async beforeRegisterNodeDef(nodeType, nodeData) {
    if (!nodeData?.name?.startsWith("StoryCore")) return;
    const onExecuted = nodeType.prototype.onExecuted;
    nodeType.prototype.onExecuted = function (output) {
      onExecuted?.apply(this, arguments);
      const text = Array.isArray(output?.text) ? output.text.join("\n") : output?.text;
      if (text) showReport(this, String(text));
    };
  },
});

// Opens the graph editor, adds a StoryCore Checkpoint Inspector, runs it, and screenshots the node with its report.
//   node inspector_screenshot.mjs URL MODEL_NAME OUT.png
// Needs playwright-core (NODE_PATH) and Debian's chromium. Prints one JSON line: what the node shows.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const [url, modelName, out] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  // playwright gives the browser a fresh temporary profile of its own (it refuses --user-data-dir here).
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url, { waitUntil: "load" });
  await page.waitForFunction(() => window.app?.graph && window.LiteGraph, null, { timeout: 120000 });
  await page.waitForTimeout(3000); // extensions' setup()
  await page.keyboard.press("Escape"); // a templates dialog, if any
  const shown = await page.evaluate(async (modelName) => {
    const app = window.app;
    app.graph.clear();
    const node = window.LiteGraph.createNode("StoryCoreCheckpointInspector");
    if (!node) throw new Error("StoryCoreCheckpointInspector is not registered: the pack failed to import (server log)");
    node.pos = [160, 140];
    app.graph.add(node);
    node.widgets.find((w) => w.name === "model_name").value = modelName;
    await app.queuePrompt(0, 1);
    const deadline = Date.now() + 120000;
    let report;
    while (Date.now() < deadline) {
      report = node.widgets.find((w) => w.name === "storycore_report");
      if (report?.summaryElement?.textContent) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    app.canvas.ds.offset = [0, 0];
    app.canvas.ds.scale = 1;
    app.graph.setDirtyCanvas(true, true);
    return {
      summary: report?.summaryElement?.textContent ?? null,
      summaryVisible: report ? getComputedStyle(report.summaryElement).display !== "none" : false,
      textStart: report?.textElement?.value?.slice(0, 40) ?? null,
      nodeSize: [...node.size],
    };
  }, modelName);
  await page.waitForTimeout(1500); // a frame with the DOM widget in place
  await page.screenshot({ path: out, clip: { x: 0, y: 0, width: 1000, height: 700 } });
  console.log(JSON.stringify({ ...shown, errors }));
} finally {
  await browser.close();
}

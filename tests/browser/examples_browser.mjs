// Opens each example workflow in the graph editor as Browse Templates does (fetched from
// /api/workflow_templates/<pack folder>/<name>.json, loaded with app.loadGraphData), records the API prompt the
// editor would queue for it, and, for router examples, wires test conditioning to the router (real text encoders
// cannot be tiny), sets small settings, queues it and reads the router's card; then the StoryCore sidebar panel.
//   node examples_browser.mjs URL PACK_FOLDER CASES.json OUT_DIR
// CASES.json: [{name, router: bool, conditioning: {widget: value}, settings: {widget: value}}].
// Prints one JSON line: {examples: {name: {prompt, ran, rows}}, panel, errors}.
import { readFileSync } from "node:fs";
import { openEditor } from "./editor_page.mjs";

const [url, packFolder, casesPath, outDir] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(casesPath, "utf8"));

const { browser, page, errors } = await openEditor(url);
const examples = {};
let panel = null;
try {
  for (const c of cases) {
    const shown = await page.evaluate(async ({ c, packFolder }) => {
      const app = window.app;
      const response = await fetch(`/api/workflow_templates/${encodeURIComponent(packFolder)}/${c.name}.json`);
      await app.loadGraphData(await response.json(), true, true, c.name);
      await new Promise((r) => setTimeout(r, 500));
      const prompt = (await app.graphToPrompt()).output;
      if (!c.router) return { prompt, ran: null, rows: null };
      const router = app.graph.nodes.find((n) => n.type === "StoryCoreAdvancedRouter");
      const cond = window.LiteGraph.createNode("StoryCoreTestConditioning");
      cond.pos = [router.pos[0] - 420, router.pos[1] + 700];
      app.graph.add(cond);
      for (const [name, value] of Object.entries(c.conditioning)) cond.widgets.find((w) => w.name === name).value = value;
      cond.connect(0, router, router.findInputSlot("positive"));
      cond.connect(1, router, router.findInputSlot("negative"));
      for (const [name, value] of Object.entries(c.settings)) router.widgets.find((w) => w.name === name).value = value;
      await app.queuePrompt(0, 1);
      const card = () => router.widgets.find((w) => w.name === "storycore_report");
      const deadline = Date.now() + 300000;
      let ran = false;
      while (Date.now() < deadline) {
        if (card()?.textElement?.value) { ran = true; break; }
        await new Promise((r) => setTimeout(r, 250));
      }
      await new Promise((r) => setTimeout(r, 300));
      const rows = card()?.cardElement ? [...card().cardElement.rows].map((r) => [r.cells[0].textContent, r.cells[1].textContent]) : null;
      // The router at the left edge, scale 0.7: its widgets and the card below them fit the screenshot.
      app.canvas.ds.scale = 0.7;
      app.canvas.ds.offset = [500 / 0.7 - router.pos[0], 40 / 0.7 - router.pos[1]];
      app.graph.setDirtyCanvas(true, true);
      return { prompt, ran, rows };
    }, { c, packFolder });
    await page.waitForTimeout(800);
    await page.screenshot({ path: `${outDir}/${c.name}.png` });
    examples[c.name] = shown;
  }

  const button = page.locator(".storycore-router-tab-button").first();
  if (await button.count()) {
    await button.click();
    await page.waitForFunction(() => document.querySelector(".storycore-panel")?.dataset.refreshed, null,
                               { timeout: 30000 });
    await page.waitForTimeout(500);
    panel = await page.evaluate(() => {
      const root = document.querySelector(".storycore-panel");
      const table = (sel) => [...root.querySelectorAll(`${sel} tbody tr`)].map((tr) => [...tr.cells].map((c) => c.textContent));
      return { matrix: table(".storycore-matrix"), history: table(".storycore-stats"),
               chartPoints: root.querySelectorAll(".storycore-chart circle").length };
    });
    await page.screenshot({ path: `${outDir}/examples_sidebar_panel.png` });
  }
  console.log(JSON.stringify({ examples, panel, errors }));
} finally {
  await browser.close();
}

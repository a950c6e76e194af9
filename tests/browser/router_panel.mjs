// Opens the graph editor, loads an API prompt (loader + test conditioning + router) into the graph, queues it twice,
// and screenshots the router node's card, the loader node's card and the StoryCore sidebar panel.
//   node router_panel.mjs URL PROMPT.json OUT_DIR
// Needs playwright-core (NODE_PATH) and Debian's chromium. Prints one JSON line: what the nodes and panel show,
// and every console / page error.
import { readFileSync } from "node:fs";
import { openEditor } from "./editor_page.mjs";

const [url, promptPath, outDir] = process.argv.slice(2);
const prompt = JSON.parse(readFileSync(promptPath, "utf8"));

const { browser, page, errors } = await openEditor(url);
try {
  const runOnce = async (seed) => page.evaluate(async ({ prompt, seed }) => {
    const app = window.app;
    if (seed === 1) await app.loadApiJson(prompt, "storycore_router_test");
    const router = app.graph.nodes.find((n) => n.type === "StoryCoreAdvancedRouter");
    if (!router) throw new Error("no StoryCoreAdvancedRouter in the graph: the pack failed to import (server log)");
    router.widgets.find((w) => w.name === "seed").value = seed;
    const before = router.widgets.find((w) => w.name === "storycore_report")?.textElement?.value ?? "";
    await app.queuePrompt(0, 1);
    const deadline = Date.now() + 300000;
    while (Date.now() < deadline) {
      const text = router.widgets.find((w) => w.name === "storycore_report")?.textElement?.value ?? "";
      if (text && text !== before) return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  }, { prompt, seed });

  const first = await runOnce(1);
  const second = first && await runOnce(2);

  const shown = await page.evaluate(() => {
    const app = window.app;
    const rowsOf = (node) => {
      const w = node?.widgets?.find((x) => x.name === "storycore_report");
      if (!w?.cardElement) return null;
      return [...w.cardElement.rows].map((r) => [r.cells[0].textContent, r.cells[1].textContent]);
    };
    const router = app.graph.nodes.find((n) => n.type === "StoryCoreAdvancedRouter");
    const loader = app.graph.nodes.find((n) => n.type.startsWith("StoryCore") && n.type.endsWith("Loader"));
    // Lay the two nodes out side by side at scale 1 for the screenshots.
    const others = app.graph.nodes.filter((n) => n !== router && n !== loader);
    others.forEach((n, i) => { n.pos = [140 + 260 * i, 1400]; });
    loader.pos = [140, 120];
    router.pos = [760, 120];
    app.canvas.ds.offset = [0, 0];
    app.canvas.ds.scale = 1;
    app.graph.setDirtyCanvas(true, true);
    return { router: rowsOf(router), loader: rowsOf(loader), routerSize: [...router.size], loaderSize: [...loader.size],
             sidebarApi: typeof app.extensionManager?.registerSidebarTab === "function" };
  });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `${outDir}/loader_node.png`, clip: { x: 60, y: 60, width: 680, height: 640 } });
  // The router's card sits below its widgets: scroll the canvas up to it.
  await page.evaluate((h) => {
    window.app.canvas.ds.offset = [0, -(h - 560)];
    window.app.graph.setDirtyCanvas(true, true);
  }, shown.routerSize[1]);
  await page.waitForTimeout(1000);
  await page.screenshot({ path: `${outDir}/router_node.png`, clip: { x: 740, y: 60, width: 600, height: 700 } });

  let panel = null;
  const button = page.locator(".storycore-router-tab-button").first();
  if (await button.count()) {
    await button.click();
    await page.waitForFunction(() => document.querySelector(".storycore-panel")?.dataset.refreshed, null,
                               { timeout: 30000 });
    // One more prompt with the panel open: it refreshes by itself (the third run appears in its history).
    const third = await runOnce(3);
    await page.waitForFunction(() => document.querySelector(".storycore-stats")?.textContent.includes("3 run(s)"),
                               null, { timeout: 30000 }).catch(() => {});
    await page.waitForTimeout(500);
    panel = await page.evaluate(() => {
      const root = document.querySelector(".storycore-panel");
      const table = (sel) => [...root.querySelectorAll(`${sel} tbody tr`)].map((tr) => [...tr.cells].map((c) => c.textContent));
      return { health: root.querySelector(".storycore-health")?.textContent, matrix: table(".storycore-matrix"),
               history: table(".storycore-stats"), chartPoints: root.querySelectorAll(".storycore-chart circle").length };
    });
    panel.thirdRun = third;
    const box = await page.locator(".storycore-panel").boundingBox();
    await page.screenshot({ path: `${outDir}/sidebar_panel.png`,
                            clip: { x: 0, y: 0, width: Math.min(1600, box.x + box.width + 10), height: 1000 } });
  }
  console.log(JSON.stringify({ ran: [first, second], ...shown, panel, errors }));
} finally {
  await browser.close();
}

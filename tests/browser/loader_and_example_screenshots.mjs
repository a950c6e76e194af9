// Screenshots for what a newcomer sees:
//   1. a Wan Loader queued with an empty text_encoders folder: the editor's node errors (which inputs are marked);
//   2. Browse Templates: the pack's category with the example's thumbnail;
//   3. the example workflow opened with none of its models present: the Missing Models list with download links.
//   node loader_and_example_screenshots.mjs URL PACK_FOLDER EXAMPLE OUT_PREFIX
// Needs playwright-core (NODE_PATH) and Debian's chromium. Prints one JSON line: what each step showed.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const [url, packFolder, example, outPrefix, mode = "missing"] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const result = { errors: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("pageerror", (e) => result.errors.push(String(e)));
  const prompts = [];
  const thumbnails = [];
  page.on("response", (r) => {
    if (r.url().includes("/workflow_templates/")) thumbnails.push({ url: r.url(), status: r.status() });
  });
  page.on("response", async (r) => {
    if (r.url().endsWith("/prompt") && r.request().method() === "POST") prompts.push(await r.json().catch(() => null));
  });
  await page.goto(url, { waitUntil: "load" });
  await page.waitForFunction(() => window.app?.graph && window.LiteGraph, null, { timeout: 120000 });
  await page.waitForTimeout(3000);
  await page.keyboard.press("Escape");

  if (mode === "missing") {
  // 1. node errors of a fresh Wan Loader (every widget at its default) with an empty text_encoders folder
  result.loader = await page.evaluate(async () => {
    const app = window.app;
    app.graph.clear();
    const node = window.LiteGraph.createNode("StoryCoreWanLoader");
    node.pos = [120, 120];
    app.graph.add(node);
    app.canvas.ds.offset = [0, 0];
    app.canvas.ds.scale = 1;
    const widgets = Object.fromEntries(node.widgets.map((w) => [w.name, w.value]));
    await app.queuePrompt(0, 1);
    await new Promise((r) => setTimeout(r, 1500));
    app.graph.setDirtyCanvas(true, true);
    return { widgets };
  });
  await page.waitForTimeout(1000);
  const nodeErrors = prompts.at(-1)?.node_errors ?? {};
  result.loader.node_errors = Object.values(nodeErrors).flatMap((e) => e.errors.map((x) => ({
    input: x.extra_info?.input_name, type: x.type, details: x.details })));
  const loaderDetails = page.getByText("View details").first();
  if (await loaderDetails.count() > 0) {
    await loaderDetails.click();
    await page.waitForTimeout(2000);
  }
  result.loader.panel_counts = (await page.locator("body").innerText()).match(/\d+ nodes? — \d+ errors?/gi);
  await page.screenshot({ path: `${outPrefix}_loader_errors.png` });

  // 2. Browse Templates: the pack's category and the example's thumbnail
  await page.keyboard.press("Escape");
  await page.evaluate(() => window.app.extensionManager.command.execute("Comfy.BrowseTemplates"));
  await page.waitForTimeout(2500);
  const category = page.getByText(packFolder, { exact: true }).first();
  result.templates = { category_listed: await category.count() > 0 };
  if (result.templates.category_listed) {
    await category.click();
    await page.waitForTimeout(2500);
  }
  // The thumbnail is fetched from /api/workflow_templates/<pack folder>/<example>.jpg.
  result.templates.thumbnail_responses = thumbnails.filter((r) => r.url.includes(example));
  await page.screenshot({ path: `${outPrefix}_templates.png` });
  await page.keyboard.press("Escape");
  await page.waitForTimeout(500);
  }

  // 3. the example opened with none of its models in the model folders
  result.example = await page.evaluate(async ([packFolder, example]) => {
    const response = await fetch(`/api/workflow_templates/${encodeURIComponent(packFolder)}/${example}.json`);
    await window.app.loadGraphData(await response.json());
    return { nodes: window.app.graph.nodes.length };
  }, [packFolder, example]);
  await page.waitForTimeout(3000);
  const text = await page.locator("body").innerText();
  result.example.errors_toast = (text.match(/\d+ errors? found/i) || [null])[0];
  const details = page.getByText("View details").first();
  if (await details.count() > 0) {
    await details.click();
    await page.waitForTimeout(2000);
  }
  const panel = await page.locator("body").innerText();
  result.example.missing_models_shown = /missing model/i.test(panel);
  result.example.links = await page.evaluate(() => [...document.querySelectorAll("a[href]")]
    .map((a) => a.href).filter((h) => h.includes("huggingface.co")));
  result.example.unknown_shown = /\bUnknown\b/.test(panel);
  result.example.model_names_shown = ["wan2.1_t2v_14B_fp8_scaled", "umt5_xxl_fp8_e4m3fn_scaled", "wan_2.1_vae"]
    .filter((name) => panel.includes(name));
  await page.screenshot({ path: `${outPrefix}_example_${mode}.png` });
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
}

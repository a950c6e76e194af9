// The graph editor in headless Debian chromium (playwright-core from NODE_PATH), ready for a script: the page loaded,
// the app and its extensions set up, every console error and page error collected into `errors`.
//   const { browser, page, errors } = await openEditor(url);   ...   await browser.close();
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

export async function openEditor(url, viewport = { width: 1600, height: 1000 }) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const errors = [];
  try {
    const page = await browser.newPage({ viewport });
    page.on("pageerror", (e) => errors.push({ kind: "pageerror", text: String(e.stack || e) }));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push({ kind: "console", text: m.text(), url: m.location()?.url || "" });
    });
    await page.goto(url, { waitUntil: "load" });
    await page.waitForFunction(() => window.app?.graph && window.LiteGraph, null, { timeout: 120000 });
    await page.waitForTimeout(3000); // extensions' setup()
    await page.keyboard.press("Escape"); // a templates dialog, if any
    return { browser, page, errors };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

// Drive Debian's Chromium (headless) with playwright-core for tests/api/browser.bats.
//
//   node drive.mjs page URL CONFIG_JSON   open the test page at URL (http://localhost:5173/...)
//                                         and run window.portalChecks(CONFIG) in it
//   node drive.mjs docs URL               open the API's /docs and wait until Redoc has drawn it
//
// Prints one JSON document: {result, consoleErrors, offLoopback}. Every request the page makes
// to a host other than the loopback is refused here (so nothing reaches the internet even on a
// connected machine) and listed in offLoopback. Environment: CHROMIUM (default
// /usr/bin/chromium), DRIVE_TIMEOUT_MS (default 60000) bounding each step.
import { chromium } from "playwright-core";

const [mode, url, config] = process.argv.slice(2);
const timeout = Number(process.env.DRIVE_TIMEOUT_MS || 60000);
const loopback = new Set(["localhost", "127.0.0.1", "[::1]"]);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  // Root in a container has no user namespace for Chromium's sandbox.
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
  timeout,
});
const out = { result: null, consoleErrors: [], offLoopback: [] };
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(timeout);
  page.on("console", (m) => m.type() === "error" && out.consoleErrors.push(m.text()));
  page.on("pageerror", (e) => out.consoleErrors.push(String(e)));
  await page.route("**/*", (route) => {
    const target = new URL(route.request().url());
    if (/^(https?|wss?):$/.test(target.protocol) && !loopback.has(target.hostname)) {
      out.offLoopback.push(target.href);
      return route.abort("blockedbyclient");
    }
    return route.continue();
  });
  if (mode === "page") {
    await page.goto(url);
    await page.waitForFunction(() => typeof window.portalChecks === "function");
    out.result = await page.evaluate((cfg) => window.portalChecks(cfg), JSON.parse(config));
  } else if (mode === "docs") {
    await page.goto(url, { waitUntil: "networkidle" });
    // Redoc replaces the <redoc> element's content with the rendered reference.
    await page.waitForFunction(() => (document.querySelector("redoc")?.innerText || "").length > 200);
    await page.waitForLoadState("networkidle");
    out.result = { title: await page.title(), heading: await page.locator("h1").first().innerText() };
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out) + "\n");

// Drives the Fjord web console in the system Chromium with playwright-core.
// Usage: node console.mjs create|verify  (FJORD_UI: the console's base URL,
// e.g. http://127.0.0.1:8080; FJORD_SHOT: where to write a screenshot).
// Run by ../e2e_test.go, which starts the broker and produces the records.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const base = process.env.FJORD_UI;
const phase = process.argv[2];
if (!base || !["create", "verify"].includes(phase)) {
  console.error("usage: FJORD_UI=http://host:port node console.mjs create|verify");
  process.exit(2);
}

function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
  console.log("ok:", what);
}

const profile = mkdtempSync(join(tmpdir(), "fjord-ui-chromium-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1280, height: 900 },
});
// The page must work without the internet: refuse every request that
// leaves the broker.
const origin = new URL(base).origin;
const outside = [];
await browser.route("**/*", (route) => {
  const u = route.request().url();
  if (u.startsWith(origin + "/")) return route.continue();
  outside.push(u);
  return route.abort();
});
const page = browser.pages()[0] ?? await browser.newPage();
const consoleErrors = [];
page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
page.setDefaultTimeout(10000);

try {
  if (phase === "create") {
    let resp = await page.goto(base + "/ui");
    check(resp.ok() && page.url() === base + "/ui/", "/ui redirects to the overview");
    check((await page.locator("h1").innerText()).startsWith("Cluster"), "overview heading");
    check(await page.locator("#brokers tbody tr").count() === 1, "one broker listed");
    check((await page.locator("#brokers tbody").innerText()).includes("ACTIVE"), "broker is active");

    await page.click("nav >> text=Topics");
    await page.waitForURL(base + "/ui/topics");
    await page.fill("#create-topic input[name=name]", "ui-orders");
    await page.fill("#create-topic input[name=partitions]", "1");
    await page.fill("#create-topic textarea[name=configs]", "retention.ms=86400000");
    await Promise.all([page.waitForURL(/\/ui\/topics\/ui-orders/), page.click("#create-topic button[type=submit]")]);
    check((await page.locator(".banner.ok").innerText()).includes("topic ui-orders created"), "topic created from the form");
    check(await page.locator("#partitions tbody tr").count() === 1, "one partition shown");
    check((await page.locator("#configs").innerText()).includes("86400000"), "config override shown");
  } else {
    await page.goto(base + "/ui/topics/ui-orders/messages?partition=0&offset=0&limit=100");
    const rows = page.locator("#records tbody tr");
    check(await rows.count() === 10, "ten records in the browser");
    const text = await page.locator("#records").innerText();
    for (let i = 0; i < 10; i++) check(text.includes(`order-${i}`), `record order-${i} shown`);

    await page.click("nav >> text=Groups");
    await page.click("#groups >> text=ui-billing");
    await page.waitForURL(base + "/ui/groups/ui-billing");
    check((await page.locator("#total-lag").innerText()) === "6", "group lag is 6 (4 of 10 committed)");
    check((await page.locator("#lag tbody").innerText()).includes("4\t10\t6"), "committed 4, log end 10, lag 6");
    if (process.env.FJORD_SHOT) {
      await page.screenshot({ path: process.env.FJORD_SHOT, fullPage: true });
      console.log("screenshot:", process.env.FJORD_SHOT);
    }
    // Reset to the end (not a dry run): the lag drops to 0.
    await page.selectOption("#reset select[name=to]", "latest");
    await page.uncheck("#reset input[name=dry_run]");
    await Promise.all([page.waitForURL(/flash=/), page.click("#reset button[type=submit]")]);
    check((await page.locator("#total-lag").innerText()) === "0", "lag is 0 after resetting to latest");

    // A form posted without the CSRF cookie's token is refused.
    const r = await page.request.post(base + "/ui/topics", { form: { name: "forged", csrf: "x" } });
    check(r.status() === 403, "forged post refused (403)");
  }
  check(outside.length === 0, "no request left the broker: " + outside.join(" "));
  check(consoleErrors.length === 0, "no errors in the page console: " + consoleErrors.join(" | "));
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}

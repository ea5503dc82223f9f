// battd's dashboard in a real browser (issue 13): Debian's Chromium,
// headless, driven by playwright-core. battd runs the default laptop on
// virtual time (factor 0: nothing moves unless told) with the dashboard on
// a free loopback port and its history in a temp folder. The page must show
// the battery (name, charge % as battctl shows them), the system on AC, the
// report's charts and the policy read-only; `battctl sim ac off` must then
// reach the page by server-sent events without a reload; a screenshot goes
// under the build folder; the page must log no console error.
// Waits are bounded waits on a condition, never sleeps.
// Usage: node dashboard.mjs BIN_DIR OUTPUT_DIR
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [bin, outDir] = process.argv.slice(2);
const CHROMIUM = process.env.BATTKIT_CHROMIUM || "/usr/bin/chromium";
const DEADLINE_MS = 20000;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "battkit-browser."));
const env = { ...process.env, BATTKIT_STATE_DIR: work, BATTKIT_SOCKET: path.join(work, "battd.sock") };
let failures = 0;
let battd = null;
let browser = null;

function check(name, cond, detail) {
  if (cond) console.log("ok   " + name);
  else {
    failures++;
    console.log("FAIL " + name + (detail !== undefined ? ": " + JSON.stringify(detail) : ""));
  }
}

async function waitFor(what, pred, timeout = DEADLINE_MS) {
  const end = Date.now() + timeout;
  for (;;) {
    const r = await pred();
    if (r) return r;
    if (Date.now() > end) throw new Error("timed out waiting for " + what);
    await new Promise((res) => setTimeout(res, 20)); // a poll with a deadline
  }
}

function battctl(...args) {
  return execFileSync(path.join(bin, "battctl"), args, { env, encoding: "utf8", timeout: DEADLINE_MS });
}

async function main() {
  const portFile = path.join(work, "http.port");
  const log = fs.openSync(path.join(work, "battd.log"), "w");
  battd = spawn(path.join(bin, "battd"),
                ["-f", "--virtual=0", "--socket", env.BATTKIT_SOCKET, "--history",
                 path.join(work, "history.db"), "--http", "127.0.0.1:0", "--http-port-file", portFile],
                { env, stdio: ["ignore", log, log] });
  let exited = null;
  battd.on("exit", (code) => { exited = code; });
  const port = await waitFor("battd's port file", () => {
    if (exited !== null)
      throw new Error("battd exited " + exited + ":\n" + fs.readFileSync(path.join(work, "battd.log"), "utf8"));
    try {
      const t = fs.readFileSync(portFile, "utf8");
      return t.endsWith("\n") ? Number(t) : null;
    } catch { return null; }
  });
  await waitFor("battd's socket", () => fs.existsSync(env.BATTKIT_SOCKET));
  // Three virtual hours on AC give the history rows the charts are drawn from.
  battctl("sim", "advance", "3h");
  const status = JSON.parse(battctl("--json", "status"));
  const info = JSON.parse(battctl("--json", "info"));
  const want = status.batteries[0];
  const name = info.find((i) => i.path === want.path).name;

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No network here: nothing of its own in the background (updates,
    // sync). As root (CI) Chromium refuses to start with its sandbox.
    args: ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync",
           ...(process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : [])],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("requestfailed", (r) => errors.push("request failed: " + r.url()));
  let navigations = 0;
  page.on("framenavigated", (f) => { if (f === page.mainFrame()) navigations++; });

  const url = `http://127.0.0.1:${port}/`;
  const response = await page.goto(url, { waitUntil: "load", timeout: DEADLINE_MS });
  const csp = response.headers()["content-security-policy"] || "";
  check("page_is_served_with_csp_default_src_self", response.status() === 200 &&
        csp.startsWith("default-src 'self'"), { status: response.status(), csp });

  const row = page.locator("#batteries tr.battery").first();
  await row.locator(".name").filter({ hasText: name }).waitFor({ timeout: DEADLINE_MS });
  const shown = { name: await row.locator(".name").textContent(),
                  percent: await row.locator(".percent").textContent(),
                  state: await row.locator(".state").textContent() };
  check("battery_is_shown_with_its_name_and_charge_as_battctl_shows_them",
        shown.name === name && shown.percent === `${want.percent} %` && /on AC/.test(shown.state),
        { shown, name, percent: want.percent });
  await page.locator('#live[data-live="live"]').waitFor({ timeout: DEADLINE_MS });
  const ac = page.locator("#ac");
  check("system_is_shown_on_ac", (await ac.getAttribute("data-ac")) === "online" &&
        (await ac.textContent()) === "AC power", await ac.textContent());

  const charts = await page.locator("#report-section svg.chart").count();
  const bars = await page.locator("#chart-usage svg rect.bar").count();
  check("report_charts_are_in_the_page", charts === 3 && bars >= 1, { charts, bars });
  const levels = await page.locator("#policy tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.level));
  const controls = await page.locator("input, button, select, textarea, form").count();
  check("policy_is_shown_read_only", JSON.stringify(levels) === '["low","reserve","critical"]' &&
        controls === 0, { levels, controls });

  // ---- the unplug, seen live ----
  await page.evaluate(() => { window.battkitNotReloaded = true; });
  const t0 = Date.now();
  battctl("sim", "ac", "off");
  await page.locator('#ac[data-ac="offline"]').waitFor({ timeout: 10000 });
  const ms = Date.now() - t0;
  await row.locator(".state").filter({ hasText: "on battery" }).waitFor({ timeout: 10000 });
  const notReloaded = await page.evaluate(() => window.battkitNotReloaded === true);
  check("ac_unplug_arrives_in_the_page_without_reload",
        notReloaded && navigations === 1 && (await ac.textContent()) === "On battery",
        { notReloaded, navigations, ac: await ac.textContent() });
  console.log(`     the unplug reached the page in ${ms} ms`);

  // ---- a battery removed and put back, and the policy with them ----
  // A policy change alone is no change of the power state (no event); the
  // next event carries it.
  battctl("policy", "low", "20");
  battctl("sim", "remove", "BAT0");
  await page.locator("#no-batteries").waitFor({ state: "visible", timeout: 10000 });
  const gone = await page.locator("#batteries tr.battery").evaluateAll((rows) => rows.map((r) => r.dataset.present));
  const low = await page.locator('#policy tr[data-level="low"] td').nth(1).textContent();
  check("battery_removal_and_the_policy_change_arrive_with_the_next_event",
        JSON.stringify(gone) === '["false"]' && low === "20 %", { gone, low });
  battctl("sim", "insert", "BAT0");
  await row.locator(".name").filter({ hasText: name }).waitFor({ timeout: 10000 });
  check("battery_insertion_arrives", await page.locator("#no-batteries").isHidden(), "");

  fs.mkdirSync(outDir, { recursive: true });
  const shot = path.join(outDir, "dashboard.png");
  await page.screenshot({ path: shot, fullPage: true });
  check("screenshot_is_saved_under_the_build_folder", fs.statSync(shot).size > 10000, shot);
  check("page_logged_no_console_errors", errors.length === 0, errors);

  await browser.close();
  browser = null;
  battd.kill("SIGTERM");
  const code = await waitFor("battd to stop", () => exited !== null ? { code: exited } : null);
  check("battd_stops_clean_with_a_browser_connected_before", code.code === 0, code);
  battd = null;
}

try {
  await main();
} catch (e) {
  failures++;
  console.log("FAIL " + (e.stack || e));
  const logPath = path.join(work, "battd.log");
  if (fs.existsSync(logPath)) console.log(fs.readFileSync(logPath, "utf8").split("\n").slice(-30).join("\n"));
} finally {
  if (browser) await browser.close().catch(() => {});
  if (battd && battd.exitCode === null) battd.kill("SIGKILL");
  fs.rmSync(work, { recursive: true, force: true });
}
process.exit(failures ? 1 : 0);

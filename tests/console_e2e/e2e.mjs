// Browser end-to-end test of the Letan operator console, in the system's headless Chromium.
//
//   node tests/console_e2e/e2e.mjs [-- <server command...>]
//
// The server command must print "console listening on http://ADDR/" on stdout and run the demo (fake
// robot, accounts operator/letan-operator and viewer/letan-viewer). Default:
//   target/debug/examples/console_demo --port 0 --workdir <tmp>
// Steps: log in; the map is drawn; hold W and see the fake robot get a nonzero twist and move on the
// map, release and see zero; hold W while the network drops teleop and see the mux deadman stop it;
// press the e-stop while driving and see it stop and stay stopped; release; log out and see control
// refused (401); drive with the on-screen joystick (drag, release = stop); log in as a viewer and see no
// drive controls and teleop refused (403). The audit log must record it all.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Harness, root, makeWaitFor, watchPageErrors, canvasPixels, linear, readJsonl } from "./lib.mjs";

const h = new Harness("e2e", "letan-e2e-");
const { log, work } = h;
const sep = process.argv.indexOf("--");
const cmd = sep >= 0 ? process.argv.slice(sep + 1) : [join(root, "target/debug/examples/console_demo"), "--port", "0", "--workdir", work];

const waitFor = makeWaitFor({ timeout: 5000, polling: 20 });
const poseX = (page) => page.$eval("#st-pose", (e) => Number(e.dataset.x || "NaN"));

try {
  const server = await h.server({ name: "server", command: cmd[0], args: cmd.slice(1), listening: "console" }).start();
  log("server at", server.url);
  const page = await h.browser();
  const errors = watchPageErrors(page);
  const pageResp = await page.goto(server.url);

  // 0. the page response carries the security headers the browser enforces
  {
    const h = pageResp.headers();
    const csp = h["content-security-policy"] || "";
    for (const part of ["default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"]) {
      assert.ok(csp.includes(part), `CSP has ${part}: ${csp}`);
    }
    assert.ok(!csp.includes("unsafe-inline") && !csp.includes("unsafe-eval"), `CSP: ${csp}`);
    assert.equal(h["x-frame-options"], "DENY");
    assert.equal(h["referrer-policy"], "no-referrer");
    assert.equal(h["x-content-type-options"], "nosniff");
    // the browser enforces the CSP: an inline script added to the page does not run
    const ran = await page.evaluate(async () => {
      window.__inlineRan = false;
      const s = document.createElement("script");
      s.textContent = "window.__inlineRan = true;";
      document.body.appendChild(s);
      await new Promise((r) => setTimeout(r, 100));
      return window.__inlineRan;
    });
    assert.equal(ran, false, "inline script blocked by the CSP");
    log("page headers: CSP, X-Frame-Options DENY, Referrer-Policy no-referrer; inline script blocked");
  }

  // 0b. a slow start: the page's own session check answers only after the operator has typed. It must
  // not empty the typed password (it did, on CI's slower machine, and the login never happened).
  {
    const slow = await page.context().newPage();
    let release;
    const held = new Promise((r) => { release = r; });
    let heldOnce = false;
    await slow.route("**/api/session", async (route) => {
      if (heldOnce) return route.continue();
      heldOnce = true;
      await held;
      await route.continue();
    });
    await slow.goto(server.url);
    await slow.fill("#username", "viewer");
    await slow.fill("#password", "typed-before-the-check");
    release();
    await slow.waitForResponse((r) => r.url().endsWith("/api/session"));
    await slow.waitForTimeout(100);
    assert.equal(await slow.inputValue("#password"), "typed-before-the-check", "a late session check keeps the typed password");
    assert.equal(await slow.inputValue("#username"), "viewer");
    assert.equal(await slow.isVisible("#login-view"), true);
    await slow.close();
    log("slow session check: the typed user name and password are kept");
  }

  // 1. log in (a wrong password first)
  await page.fill("#username", "operator");
  await page.fill("#password", "wrong-password");
  await page.click("#login-form button[type=submit]");
  await waitFor(page, () => document.getElementById("login-error").textContent.length > 0, null, "login error");
  assert.equal(await page.isVisible("#app-view"), false);
  await page.fill("#password", "letan-operator");
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("#app-view", { state: "visible", timeout: 5000 });
  log("logged in as", await page.textContent("#who"));

  // 2. the map shows the robot (pose arrives, canvas has drawn pixels), places and the camera
  await waitFor(page, () => !isNaN(Number(document.getElementById("st-pose").dataset.x)), null, "pose");
  const drawn = await canvasPixels(page, "#map");
  assert.ok(drawn > 2000, `map canvas drawn (${drawn} px)`);
  assert.ok((await page.$$eval("#place option", (o) => o.map((x) => x.value))).includes("queue_kiosk"));
  await waitFor(page, () => document.getElementById("camera").naturalWidth > 0, null, "camera frame");
  assert.equal(await page.textContent("#st-estop"), "released");
  log("map drawn:", drawn, "px; camera loaded");

  // 3. hold W: nonzero twist, the robot moves; release: zero
  await page.click("#map");
  const x0 = await poseX(page);
  const firstTeleop = page.waitForResponse((r) => r.url().endsWith("/api/teleop") && r.status() === 200, { timeout: 5000 });
  const tDown = Date.now();
  await page.keyboard.down("w");
  await firstTeleop;
  const keyToLink = Date.now() - tDown;
  await waitFor(page, () => Number(document.getElementById("st-cmd").dataset.linear) > 0.05, null, "nonzero twist after W");
  const keyToShown = Date.now() - tDown;
  await page.waitForTimeout(1200);
  assert.ok((await linear(page)) > 0.05, "still driving while W is held");
  const x1 = await poseX(page);
  assert.ok(x1 > x0 + 0.1, `robot moved on the map: x ${x0} -> ${x1}`);
  const tUp = Date.now();
  await page.keyboard.up("w");
  await waitFor(page, () => Number(document.getElementById("st-cmd").dataset.linear) === 0, null, "zero twist after release");
  log(`W: teleop accepted by the server ${keyToLink} ms after keydown; nonzero shown ${keyToShown} ms after keydown; moved ${(x1 - x0).toFixed(2)} m; zero shown ${Date.now() - tUp} ms after keyup`);

  // 4. deadman: W held but the network drops every teleop request -> the mux times out and stops
  await page.keyboard.down("w");
  await waitFor(page, () => Number(document.getElementById("st-cmd").dataset.linear) > 0.05, null, "driving again");
  await page.route("**/api/teleop", (route) => route.abort());
  const tDrop = Date.now();
  await waitFor(page, () => Number(document.getElementById("st-cmd").dataset.linear) === 0, null, "deadman stop with W still held", 3000);
  const dropToZero = Date.now() - tDrop;
  assert.ok(dropToZero >= 300, `did not stop before the 0.5 s timeout (${dropToZero} ms)`);
  await page.keyboard.up("w");
  await page.unroute("**/api/teleop");
  log(`deadman: zero shown ${dropToZero} ms after teleop stopped arriving (W still held)`);

  // 5. e-stop while driving: stops and stays stopped while W is held; release
  await page.keyboard.down("w");
  await waitFor(page, () => Number(document.getElementById("st-cmd").dataset.linear) > 0.05, null, "driving before e-stop");
  await page.keyboard.up("w");
  await page.keyboard.down("w");
  const tStop = Date.now();
  await page.click("#estop");  // the click also drops the held key (blur-safe stop)
  await waitFor(page, () => document.getElementById("st-estop").dataset.engaged === "1", null, "e-stop engaged");
  await waitFor(page, () => Number(document.getElementById("st-cmd").dataset.linear) === 0, null, "zero after e-stop");
  const estopToZero = Date.now() - tStop;
  await page.keyboard.up("w");
  await page.click("#map");
  await page.keyboard.down("w");
  await page.waitForTimeout(600);
  assert.equal(await linear(page), 0, "e-stop holds while W is pressed");
  await page.keyboard.up("w");
  await page.click("#release");
  await waitFor(page, () => document.getElementById("st-estop").dataset.engaged === "0", null, "e-stop released");
  log(`e-stop: zero shown ${estopToZero} ms after the click`);

  // 5b. on-screen joystick: drag up = forward; let go = stop
  const jb = await page.locator("#joystick").boundingBox();
  await page.mouse.move(jb.x + jb.width / 2, jb.y + jb.height / 2);
  await page.mouse.down();
  await page.mouse.move(jb.x + jb.width / 2, jb.y + 8, { steps: 4 });
  await waitFor(page, () => Number(document.getElementById("st-cmd").dataset.linear) > 0.05, null, "joystick drives");
  await page.mouse.up();
  await waitFor(page, () => Number(document.getElementById("st-cmd").dataset.linear) === 0, null, "joystick release stops");
  log("joystick: drives while dragged, stops on release");

  // 6. say, goto (operator controls)
  await page.fill("#say-text", "Xin chào, tôi có thể giúp gì?");
  await page.click("#say-form button[type=submit]");
  await waitFor(page, () => document.getElementById("transcript").textContent.includes("tôi có thể giúp"), null, "said text in transcript");

  // 7. log out: control refused
  await page.click("#logout");
  await page.waitForSelector("#login-view", { state: "visible", timeout: 5000 });
  const status = await page.evaluate(async () => {
    const r = await fetch("/api/teleop", { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": "x" }, body: JSON.stringify({ linear: 0.3, angular: 0 }) });
    return r.status;
  });
  assert.equal(status, 401, "teleop after logout is refused");
  log("after logout: teleop ->", status);

  // 8. a viewer watches but cannot drive: no drive controls, W does nothing, the API says 403
  await page.fill("#username", "viewer");
  await page.fill("#password", "letan-viewer");
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("#app-view", { state: "visible", timeout: 5000 });
  assert.equal(await page.isVisible("#joystick"), false, "no joystick for a viewer");
  assert.equal(await page.isVisible("#release"), false, "no release button for a viewer");
  assert.equal(await page.isVisible("#estop"), true, "a viewer may press the e-stop");
  await page.click("#map");
  await page.keyboard.down("w");
  await page.waitForTimeout(600);
  assert.equal(await linear(page), 0, "viewer's W does not move the robot");
  await page.keyboard.up("w");
  const vstatus = await page.evaluate(async () => {
    const s = await (await fetch("/api/session")).json();
    const r = await fetch("/api/teleop", { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": s.csrf }, body: JSON.stringify({ linear: 0.3, angular: 0 }) });
    return r.status;
  });
  assert.equal(vstatus, 403, "viewer teleop is forbidden");
  log("viewer: no drive controls, teleop ->", vstatus);

  // 9. login lockout from the browser: wrong passwords through the form until the console answers
  // 429 (5 failures per address and per name in 5 min; one failure above already counts), then even
  // the right password is refused with 429 and the page says so
  await page.click("#logout");
  await page.waitForSelector("#login-view", { state: "visible", timeout: 5000 });
  const loginStatus = async (user, pw) => {
    await page.fill("#username", user);
    await page.fill("#password", pw);
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/api/login"), { timeout: 5000 }),
      page.click("#login-form button[type=submit]"),
    ]);
    return resp.status();
  };
  const statuses = [];
  for (let i = 0; i < 6 && !statuses.includes(429); i++) statuses.push(await loginStatus("operator", `wrong-${i}`));
  assert.ok(statuses.includes(429), `lockout after repeated failures: ${statuses.join(",")}`);
  assert.ok(statuses.indexOf(429) <= 4, `locked out by the 5th failure: ${statuses.join(",")}`);
  assert.equal(await loginStatus("operator", "letan-operator"), 429, "the right password is refused while locked out");
  await waitFor(page, () => /too many/i.test(document.getElementById("login-error").textContent), null, "lockout message");
  assert.equal(await page.isVisible("#app-view"), false, "not logged in while locked out");
  log("lockout: statuses", statuses.join(","), "then 429 with the right password");

  // the audit log recorded who did what
  const auditPath = (server.stderr().match(/audit log: (\S+)/) || [])[1];
  assert.ok(auditPath, "the console printed where its audit log is");
  {
    const lines = readJsonl(auditPath);
    const acts = lines.filter((l) => l.user === "operator").map((l) => `${l.action}:${l.outcome}`);
    for (const want of ["login:failed", "login:ok", "teleop_start:ok", "estop:ok", "estop_release:ok", "say:ok", "logout:ok", "login:rate_limited"]) {
      assert.ok(acts.includes(want), `audit has ${want}: ${acts.join(", ")}`);
    }
    // the hash chain links every line to the one before it
    const raw = readFileSync(auditPath, "utf8").trim().split("\n");
    let prev = "0".repeat(64);
    raw.forEach((l, i) => {
      assert.equal(JSON.parse(l).prev, prev, `audit line ${i + 1} links to the line before`);
      prev = createHash("sha256").update(l).digest("hex");
    });
    log("audit lines:", lines.length, "hash chain intact");
  }
  assert.equal(errors.failed, false, "no page errors");
  console.log("E2E PASS");
} catch (e) {
  h.fail("E2E", e);
} finally {
  await h.finish();
}

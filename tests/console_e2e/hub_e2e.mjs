// Browser end-to-end test of the fleet operations hub (robot_nodes/fleet) against the real demo fleet, in
// the system's headless Chromium. Issue: "log in, see the robots, push a KB, drive one robot".
//
//   cargo build -j2 -p letan && node tests/console_e2e/hub_e2e.mjs
//
// It adds a kb_editor account to a fresh database in a temp folder (`letan fleet add-user`: the demo's
// operator may command robots but not edit the knowledge base), then starts
//   target/debug/letan fleet demo --robots 3 --port 0 --workdir TMP
// from the repository root (one robot per site; each robot is the real sim, mux, intent_router and fleet
// nodes on its own bus, joined to the hub over Zenoh on loopback), reads the hub URL from its stdout and
// always kills its process group on exit.
//
// Steps (the browser does what a user does: types, clicks, holds the mouse button, picks files):
//  1. log in as operator: all 3 robots listed, online, on the repository's KB version (computed here from
//     kb/ the way the hub names versions), e-stop engaged (the mux starts latched); /api/robots agrees;
//  2. the operator uploads a KB: refused on the page (only kb_editor/admin may), nothing changes; log out;
//  3. log in as the kb_editor: upload a tar of kb/ with one prompt changed: the page shows the version
//     computed here; "Push to all": every robot reports it (hub and page) and has the files on disk;
//     upload a tar whose intents/nav.yaml has a YAML syntax error: the page names file and line, offers
//     nothing to push, and no robot's version changes; log out;
//  4. log in as operator; on the first robot's row: release the e-stop, hold ▲ (the page repeats teleop
//     every 100 ms while the button is down: the deadman): the robot moves forward, the others do not;
//     let go: it stops (pose still over ~1.2 s after a 2 s grace); E-STOP: the robot reports it engaged,
//     and holding ▲ does not move it; release;
//  5. the robot whose lobby asked something first (polled through /api/asked?robot=): click its name:
//     its page shows the map (the PGM drawn, the robot's pose marked inside it), the camera's state
//     (the demo's lobbies run without a camera: "not available"), status, node health (the mux ok),
//     events, and the questions /api/asked lists for it; the "What citizens asked" tab lists a section
//     per site with that question in its site's; back to the robots;
//  6. log out: a command with the old CSRF token and a robot list are refused (401), the robot stays;
//     the hub's audit log has the actions with their outcomes.
// Through fetch, not the page: reading state to assert on (GET /api/robots from the page's session, and
// from a separate viewer session in this script that lasts across the page's log-outs), and the command
// after logging out (a logged-out page has no command control). Latencies are printed, never asserted.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import assert from "node:assert/strict";
import { Harness, root, LETAN, requireBinary, makeWaitFor, watchPageErrors, apiSession, dist, f2, readJsonl, sleep } from "./lib.mjs";

const h = new Harness("hub-e2e", "letan-hub-e2e-");
const { log, work, t0 } = h;
const hubDir = join(work, "hub");
// Three robots, one per demo site: each site's rows and keys are exercised. On the 2-core machine the
// demo is up in about a second and three lobbies at speed 1 leave the CPU mostly idle.
const N = 3;
const EDITOR = { user: "kbeditor", password: "lobby-lantern-tea-42" };
const MARK = "(hub e2e)";

// ---------- the hub ----------
// letan fleet demo in its own process group; Ctrl-C (SIGINT) is the demo's way to stop, SIGKILL if it hangs.
const hub = h.server({
  name: "letan fleet demo", command: LETAN, cwd: root, detached: true, listening: "fleet hub", timeoutMs: 180000, tails: true,
  args: ["fleet", "demo", "--robots", String(N), "--port", "0", "--workdir", hubDir],
  stopSteps: [["SIGINT", 5000], ["SIGKILL", 2000]], logStop: true,
});
// `letan fleet demo` makes a temp folder of its own even when given --workdir
h.onCleanup(() => { if (hub.proc) rmSync(join(tmpdir(), `letan-fleet-demo-${hub.proc.pid}`), { recursive: true, force: true }); });

// ---------- knowledge bases ----------
// The YAML files under `dir`, as the hub reads an archive of kb/: relative path, text.
function kbFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(n)) out.push([relative(dir, p).split(sep).join("/"), readFileSync(p, "utf8")]);
    }
  };
  walk(dir);
  return out;
}
// The hub's name of a version (kbpkg::version_of): the first 8 bytes of SHA-256 over the sorted
// (path, text) pairs, each followed by a NUL, in hex.
function versionOf(files) {
  const h = createHash("sha256");
  const cmp = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  for (const [n, t] of [...files].sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]))) {
    h.update(n); h.update("\0"); h.update(t); h.update("\0");
  }
  return h.digest().subarray(0, 8).toString("hex");
}
// Copy kb/ into work/<name>/kb, let `edit(kbDir)` change it, tar it (ustar, as the hub reads).
function kbArchive(name, edit) {
  const base = join(work, name);
  mkdirSync(base, { recursive: true });
  cpSync(join(root, "kb"), join(base, "kb"), { recursive: true });
  const info = edit(join(base, "kb"));
  const tar = join(work, `${name}.tar`);
  execFileSync("tar", ["--format=ustar", "-cf", tar, "-C", base, "kb"]);
  return { tar, version: versionOf(kbFiles(join(base, "kb"))), ...info };
}
// Change the first English text of a prompt in prompts.yaml (a valid KB with another version).
function changePrompt(kb) {
  const p = join(kb, "prompts.yaml");
  const lines = readFileSync(p, "utf8").split("\n");
  const i = lines.findIndex((l) => /^\s+en: ".*"\s*$/.test(l));
  assert.ok(i >= 0, "prompts.yaml has an English prompt text");
  lines[i] = lines[i].replace(/"\s*$/, ` ${MARK}"`);
  writeFileSync(p, lines.join("\n"));
  return { changed: lines[i].trim() };
}
// A YAML syntax error in intents/nav.yaml: text after the closing quote of its first English text.
function breakNav(kb) {
  const p = join(kb, "intents", "nav.yaml");
  const lines = readFileSync(p, "utf8").split("\n");
  const i = lines.findIndex((l) => /^\s+en: ".*"\s*$/.test(l));
  assert.ok(i >= 0, "nav.yaml has an English text");
  lines[i] = lines[i].replace(/"\s*$/, `" and more"`);
  writeFileSync(p, lines.join("\n"));
  return { file: "intents/nav.yaml", line: i + 1 };
}

// ---------- an observer: a viewer session of this script, independent of the page's ----------
let obsSession = null;
async function viewer(url) {
  const session = await apiSession(url, "viewer", "letan-viewer");
  obsSession = session;
  const o = {
    robots: () => session.getJson("/api/robots", "viewer reads the robots"),
    async robot(id) {
      const r = (await o.robots()).find((x) => x.id === id);
      assert.ok(r, `robot ${id} listed`);
      return r;
    },
    // Poll until `pred(robots)` holds; returns the robots then.
    async until(pred, what, timeout = 15000) {
      const end = Date.now() + timeout;
      let last;
      while (Date.now() < end) {
        last = await o.robots();
        if (pred(last)) return last;
        await sleep(100);
      }
      throw new Error(`timed out waiting for ${what} (${timeout} ms); robots: ${JSON.stringify(last?.map(brief))}`);
    },
    // The robot's next status after the one seen now (statuses come at about 1 Hz).
    async fresh(id, timeout = 5000) {
      const seq = (await o.robot(id)).status?.seq ?? -1;
      const rs = await o.until((l) => (l.find((x) => x.id === id)?.status?.seq ?? -1) > seq, `a new status of ${id}`, timeout);
      return rs.find((x) => x.id === id);
    },
  };
  return o;
}
const brief = (r) => ({ id: r.id, online: r.online, kb: r.kb_version, pose: r.status?.pose, estop: r.status?.estop });

// ---------- page helpers ----------
const waitFor = makeWaitFor({ timeout: 10000, polling: 50 });
// The robots table as shown: id and the cells' text by column name.
const table = (page) => page.$$eval("#rows tr", (trs) => trs.map((tr) => {
  const c = [...tr.cells].map((td) => td.textContent);
  return { id: tr.dataset.robot, site: c[1], online: c[2], kb: c[3], estop: c[6] };
}));
const row = (page, id) => page.locator(`#rows tr[data-robot="${id}"]`);
const button = (page, id, label) => row(page, id).locator("button", { hasText: label });

async function login(page, user, password) {
  await page.fill("#u", user);
  await page.fill("#p", password);
  await page.click("#lf button");
  await page.waitForSelector("#app", { state: "visible", timeout: 30000 });
  assert.equal(await page.textContent("#me"), user, "the page shows who is logged in");
  await waitFor(page, (n) => document.querySelectorAll("#rows tr").length === n, N, `${N} robot rows`, 15000);
}
async function logout(page) {
  await page.click("#lo");
  await page.waitForSelector("#login", { state: "visible", timeout: 10000 });
  assert.ok(await page.isHidden("#app"), "the robots are hidden after logging out");
}
async function upload(page, file) {
  await page.setInputFiles("#kbf", file);
  const resp = page.waitForResponse((r) => r.url().endsWith("/api/kb") && r.request().method() === "POST", { timeout: 15000 });
  await page.click("#up");
  return (await resp).status();
}
// Hold ▲ on a robot's row for `ms` (mouse down on the button, up after): the page sends teleop every
// 100 ms until the mouse comes up. Returns how many teleop commands the hub accepted meanwhile.
async function holdForward(page, id, ms, during) {
  let accepted = 0;
  const count = (r) => { if (r.url().endsWith(`/api/robots/${id}/command`) && r.status() === 200) accepted++; };
  page.on("response", count);
  await button(page, id, "▲").hover();
  await page.mouse.down();
  const t = Date.now();
  const r = during ? await during(t) : undefined;
  const left = ms - (Date.now() - t);
  if (left > 0) await page.waitForTimeout(left);
  await page.mouse.up();
  await page.waitForTimeout(150);  // the last requests in flight
  page.off("response", count);
  return { accepted, during: r };
}

try {
  // the knowledge bases: the repository's (what the robots start with), a changed one, a broken one
  const repoVersion = versionOf(kbFiles(join(root, "kb")));
  const good = kbArchive("good", changePrompt);
  const bad = kbArchive("bad", breakNav);
  assert.notEqual(good.version, repoVersion, "the changed KB has another version");
  log(`KB versions: repository ${repoVersion}, changed ${good.version} (${good.changed}); broken at ${bad.file}:${bad.line}`);

  // a kb_editor in the hub's database before it starts (the demo adds its own accounts next to it)
  mkdirSync(hubDir);
  requireBinary(LETAN, "cargo build -j2 -p letan");
  execFileSync(LETAN, ["fleet", "add-user", "--db", join(hubDir, "fleet.db"), "--name", EDITOR.user, "--role", "kb_editor"],
    { cwd: root, input: EDITOR.password + "\n", stdio: ["pipe", "pipe", "pipe"] });
  log("starting", LETAN, hub.opts.args.join(" "));
  await hub.start();
  log("hub at", hub.url);
  const obs = await viewer(hub.url);

  const page = await h.browser();
  const errors = watchPageErrors(page);
  await page.goto(hub.url);

  // ---- 1. log in as operator: the robots ----
  const tLogin = Date.now();
  await login(page, "operator", "letan-operator");
  await waitFor(page, (n) => {
    const rows = [...document.querySelectorAll("#rows tr")];
    return rows.length === n && rows.every((r) => r.cells[2].textContent === "online" && r.cells[3].textContent !== "");
  }, N, `all ${N} robots online with a KB version on the page`, 30000);
  log(`logged in as operator; ${N} robots online on the page ${Date.now() - tLogin} ms after the click`);
  await page.waitForTimeout(1200);  // one more refresh of the table: every robot has sent a status by now
  const shown = await table(page);
  const api = await page.evaluate(async () => (await fetch("/api/robots")).json());
  assert.equal(api.length, N, `/api/robots lists ${N} robots`);
  assert.deepEqual(shown.map((r) => r.id).sort(), api.map((r) => r.id).sort(), "the page lists the robots /api/robots has");
  assert.deepEqual([...new Set(api.map((r) => r.site))].sort(), ["ba-dinh", "cau-giay", "hoan-kiem"], "one robot per demo site");
  for (const r of api) {
    const s = shown.find((x) => x.id === r.id);
    assert.ok(r.online, `${r.id} online in /api/robots`);
    assert.equal(s.site, r.site, `${r.id}: site on the page`);
    assert.equal(r.kb_version, repoVersion, `${r.id} runs the repository's KB`);
    assert.equal(s.kb, r.kb_version, `${r.id}: KB version on the page`);
    assert.ok(r.status && r.status.pose, `${r.id} reports a pose`);
    assert.equal(r.status.estop, true, `${r.id}: the e-stop starts engaged (the mux starts latched)`);
    assert.equal(s.estop, "ENGAGED", `${r.id}: e-stop engaged on the page`);
  }
  log("robots:", shown.map((r) => `${r.id}@${r.site} ${r.online} KB ${r.kb} e-stop ${r.estop}`).join(" | "));

  // ---- 2. the operator may not change the knowledge base ----
  assert.equal(await upload(page, good.tar), 403, "an operator's KB upload is refused");
  await waitFor(page, () => /may not edit the knowledge base/.test(document.getElementById("kbout").textContent), null, "the refusal on the page");
  assert.equal(await page.textContent("#kbv"), "", "nothing checked to push");
  log("operator's upload refused on the page:", await page.textContent("#kbout"));
  await logout(page);

  // ---- 3. the kb_editor pushes a KB ----
  await login(page, EDITOR.user, EDITOR.password);
  log("logged in as", EDITOR.user);
  assert.equal(await upload(page, good.tar), 200, "the changed KB is accepted");
  await waitFor(page, () => document.getElementById("kbv").textContent.startsWith("checked: "), null, "the checked version on the page");
  assert.equal(await page.textContent("#kbv"), `checked: ${good.version}`, "the page shows the version of the uploaded files");
  const tPush = Date.now();
  const pushResp = page.waitForResponse((r) => r.url().endsWith("/api/kb/push"), { timeout: 30000 });
  await page.click("#push");
  assert.equal((await pushResp).status(), 200, "push accepted");
  await waitFor(page, () => document.getElementById("kbout").textContent.trim().startsWith("["), null, "the push results on the page", 30000);
  const results = JSON.parse(await page.textContent("#kbout"));
  const pushMs = Date.now() - tPush;
  assert.equal(results.length, N, `a push result per robot: ${JSON.stringify(results)}`);
  for (const r of results) assert.ok(r.ok && r.kb_version === good.version, `push to ${r.robot}: ${JSON.stringify(r)}`);
  await obs.until((l) => l.length === N && l.every((r) => r.kb_version === good.version && r.status?.kb_version === good.version),
    `every robot's status reporting KB ${good.version}`, 15000);
  const reportMs = Date.now() - tPush;
  await waitFor(page, ([n, v]) => {
    const rows = [...document.querySelectorAll("#rows tr")];
    return rows.length === n && rows.every((r) => r.cells[3].textContent === v);
  }, [N, good.version], "the new version in every row", 10000);
  for (const r of results) {
    const text = readFileSync(join(hubDir, r.robot, "kb", "prompts.yaml"), "utf8");
    assert.ok(text.includes(MARK), `${r.robot} installed the new prompts.yaml`);
    assert.equal(versionOf(kbFiles(join(hubDir, r.robot, "kb"))), good.version, `${r.robot}'s KB folder is the pushed version`);
  }
  log(`pushed ${good.version}: the page had every robot's verdict after ${pushMs} ms; every robot's status reported it after ${reportMs} ms; files installed`);

  // a broken KB: the error names file and line; nothing to push; no version changes
  assert.equal(await upload(page, bad.tar), 422, "the broken KB is refused");
  await waitFor(page, () => /errors/.test(document.getElementById("kbout").textContent), null, "the KB errors on the page");
  const errText = await page.textContent("#kbout");
  assert.ok(errText.includes(`${bad.file}:${bad.line}:`), `the error names ${bad.file}:${bad.line}: ${errText}`);
  assert.equal(await page.textContent("#kbv"), "", "the refused upload leaves nothing checked");
  let pushes = 0;
  const countPush = (r) => { if (r.url().endsWith("/api/kb/push")) pushes++; };
  page.on("request", countPush);
  await page.click("#push");  // nothing checked: the page sends nothing
  await page.waitForTimeout(500);
  page.off("request", countPush);
  assert.equal(pushes, 0, "no push after a refused upload");
  const seqs = Object.fromEntries((await obs.robots()).map((r) => [r.id, r.status.seq]));
  const after = await obs.until((l) => l.every((r) => r.status.seq >= seqs[r.id] + 2), "two more statuses from every robot", 6000);
  for (const r of after) assert.equal(r.kb_version, good.version, `${r.id} still runs ${good.version}`);
  log("broken KB refused on the page:", errText.slice(0, 160).replace(/\n/g, " "), "…; versions unchanged");
  await logout(page);

  // ---- 4. the operator drives one robot ----
  await login(page, "operator", "letan-operator");
  const id = (await table(page))[0].id;
  const others = (await obs.robots()).filter((r) => r.id !== id);
  log("driving", id);
  await button(page, id, "release").click();
  await obs.until((l) => l.find((r) => r.id === id).status.estop === false, `${id} reporting the e-stop released`, 10000);
  await waitFor(page, (i) => document.querySelector(`#rows tr[data-robot="${i}"]`)?.cells[6].textContent === "", id, "e-stop released on the page");
  const p0 = (await obs.fresh(id)).status.pose;
  let firstMove = NaN, sawTeleopInput = false;
  const drive = await holdForward(page, id, 2500, async (t) => {
    const r = await obs.until((l) => {
      const s = l.find((x) => x.id === id).status;
      sawTeleopInput ||= s.active_input === "console_teleop";
      return dist(s.pose, p0) > 0.05;
    }, `${id} moving while ▲ is held`, 5000);
    firstMove = Date.now() - t;
    return r;
  });
  const pUp = (await obs.robot(id)).status.pose;
  await sleep(2000);  // deadman (0.5 s), the mux's timeout and braking
  const pA = (await obs.fresh(id)).status.pose;
  await sleep(1200);
  const pB = (await obs.fresh(id)).status.pose;
  const fwd = (pB.x - p0.x) * Math.cos(p0.yaw) + (pB.y - p0.y) * Math.sin(p0.yaw);
  assert.ok(drive.accepted >= 10, `the page repeated teleop while ▲ was held (${drive.accepted} accepted in 2.5 s)`);
  assert.ok(sawTeleopInput, "the robot's mux reported console_teleop as its input");
  assert.ok(fwd > 0.3, `${id} moved forward: ${f2(p0)} -> ${f2(pB)} (${fwd.toFixed(2)} m ahead)`);
  assert.ok(dist(pA, pB) < 0.02, `${id} stopped after ▲ was let go: ${f2(pA)} -> ${f2(pB)} in 1.2 s`);
  for (const o of others) {
    const now = (await obs.robot(o.id)).status.pose;
    assert.ok(dist(now, o.status.pose) < 0.01, `${o.id} did not move: ${f2(o.status.pose)} -> ${f2(now)}`);
  }
  log(`▲ held 2.5 s (${drive.accepted} teleop commands accepted): moving in the status ${firstMove} ms after the mouse went down; ` +
    `${f2(p0)} -> ${f2(pUp)} at release -> ${f2(pB)}, ${fwd.toFixed(2)} m ahead; still over 1.2 s; the other robots did not move`);

  // e-stop: engaged on the robot and the page; ▲ then does nothing; release
  const tE = Date.now();
  await button(page, id, "E-STOP").click();
  await obs.until((l) => l.find((r) => r.id === id).status.estop === true, `${id} reporting the e-stop engaged`, 10000);
  const estopMs = Date.now() - tE;
  await waitFor(page, (i) => document.querySelector(`#rows tr[data-robot="${i}"]`)?.cells[6].textContent === "ENGAGED", id, "ENGAGED on the page", 5000);
  const pE0 = (await obs.fresh(id)).status.pose;
  const held = await holdForward(page, id, 1500);
  await sleep(500);
  const pE1 = (await obs.fresh(id)).status.pose;
  assert.ok(held.accepted >= 5, `the page kept sending teleop during the e-stop (${held.accepted})`);
  assert.ok(dist(pE0, pE1) < 0.02, `the e-stop holds ${id} while ▲ is held: ${f2(pE0)} -> ${f2(pE1)}`);
  await button(page, id, "release").click();
  await obs.until((l) => l.find((r) => r.id === id).status.estop === false, `${id} reporting the e-stop released`, 10000);
  log(`e-stop: reported engaged ${estopMs} ms after the click; ▲ held 1.5 s (${held.accepted} accepted): still at ${f2(pE1)}; released`);

  // ---- 5. a robot's page and what citizens asked ----
  // the robot whose lobby asked something first (the demo's citizens ask by text; no dialog node, so
  // each question is recorded as answered or not understood 2 s after its intent)
  const tAsk = Date.now();
  let asked = null;
  while (!asked) {
    for (const r of await obs.robots()) {
      const a = await obsSession.getJson(`/api/asked?site=${encodeURIComponent(r.site)}&robot=${encodeURIComponent(r.id)}`, "asked of one robot");
      assert.ok(a.recent.every((q) => q.robot === r.id), `/api/asked?robot=${r.id} lists only its questions`);
      if (a.recent.length) { asked = { robot: r, a }; break; }
    }
    if (!asked) {
      assert.ok(Date.now() - tAsk < 90000, "a question reached the hub within 90 s");
      await sleep(1000);
    }
  }
  const rid = asked.robot.id;
  log(`${rid} was asked ${asked.a.served} question(s) (${Date.now() - tAsk} ms of waiting): ${asked.a.recent.map((q) => `${q.intent}/${q.outcome}`).join(", ")}`);
  await row(page, rid).locator("a.robot-link").click();
  await page.waitForSelector("#robot", { state: "visible", timeout: 5000 });
  assert.ok(await page.isHidden("#fleet"), "the robots table gives way to the robot's page");
  assert.equal(await page.textContent("#r-id"), rid, "the page is the clicked robot's");
  assert.equal(new URL(page.url()).hash, `#robot/${encodeURIComponent(rid)}`);
  // the map: the robot's PGM drawn, with its pose (the demo's stand-in places odom where it started)
  await waitFor(page, () => /cells/.test(document.getElementById("r-mapinfo").textContent), null, "the map drawn", 15000);
  await waitFor(page, () => !!document.getElementById("r-map").dataset.pose, null, "the pose drawn on the map", 10000);
  const map = await page.$eval("#r-map", (c) => ({ w: c.width, h: c.height, pose: c.dataset.pose.split(",").map(Number) }));
  assert.ok(map.pose[0] >= 0 && map.pose[0] < map.w && map.pose[1] >= 0 && map.pose[1] < map.h,
    `the pose is inside the map: ${JSON.stringify(map)}`);
  const redPixels = await page.$eval("#r-map", (c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] > 180 && d[i + 1] < 60 && d[i + 2] < 60) n++;
    return n;
  });
  assert.ok(redPixels > 10, `the robot marker is drawn (${redPixels} red pixels)`);
  const mapInfo = await page.textContent("#r-mapinfo");
  // the camera: the demo's lobbies run with the camera off, so the hub says the robot has none
  await waitFor(page, () => !/loading/.test(document.getElementById("r-caminfo").textContent), null, "the camera's state", 10000);
  const camInfo = await page.textContent("#r-caminfo");
  assert.ok(/not available \(.*has no image/.test(camInfo) || /^camera at /.test(camInfo), `camera state: ${camInfo}`);
  // status, health and events
  await waitFor(page, () => document.querySelectorAll("#r-status tr").length >= 7 && document.querySelectorAll("#r-health li").length >= 1
    && document.querySelectorAll("#r-events li").length >= 1, null, "status, health and events");
  const health = await page.$$eval("#r-health li", (l) => l.map((x) => x.textContent));
  assert.ok(health.some((t) => /^mux: ok/.test(t)), `the mux is healthy: ${health.join(" | ")}`);
  // what people asked it: the rows /api/asked has for it
  await waitFor(page, () => document.querySelectorAll("#r-asked tr").length >= 1, null, "the robot's questions on its page", 10000);
  const shownQs = await page.$$eval("#r-asked tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  const apiNow = await obsSession.getJson(`/api/asked?site=${encodeURIComponent(asked.robot.site)}&robot=${encodeURIComponent(rid)}`, "asked");
  assert.ok(shownQs.length >= asked.a.recent.length && shownQs.length <= apiNow.recent.length,
    `as many rows as /api/asked has: page ${shownQs.length}, api ${asked.a.recent.length}..${apiNow.recent.length}`);
  for (const q of asked.a.recent) {
    assert.ok(shownQs.some((c) => c[1] === q.intent && c[2] === q.outcome), `${q.intent}/${q.outcome} on the page: ${JSON.stringify(shownQs)}`);
  }
  assert.match(await page.textContent("#r-asked-sum"), /\d+ asked: /);
  log(`robot page of ${rid}: ${mapInfo}; pose at ${map.pose} on a ${map.w}x${map.h} canvas; ${camInfo}; health ${health.length} nodes; ${shownQs.length} question row(s)`);
  // the fleet-wide list: a section per site, this robot's questions in its site's
  await page.click("#tab-asked");
  await page.waitForSelector("#asked", { state: "visible", timeout: 5000 });
  await waitFor(page, (n) => document.querySelectorAll("#asked-sites section").length === n, N, `${N} sites listed`, 10000);
  const siteRows = await page.$$eval(`#asked-sites section[data-site="${asked.robot.site}"] tbody tr`, (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.ok(siteRows.some((c) => c[1] === rid && c[2] === asked.a.recent[0].intent), `${rid}'s question in ${asked.robot.site}'s list: ${JSON.stringify(siteRows.slice(0, 5))}`);
  log(`asked tab: ${N} sites; ${asked.robot.site} lists ${siteRows.length} question(s)`);
  await page.click("#tab-fleet");
  await page.waitForSelector("#fleet", { state: "visible", timeout: 5000 });
  await waitFor(page, (n) => document.querySelectorAll("#rows tr").length === n, N, "the robots table again");

  // ---- 6. log out: commands refused ----
  const csrf = await page.evaluate(() => csrf);
  assert.ok(csrf, "the page had a CSRF token");
  await logout(page);
  const codes = await page.evaluate(async ({ id, csrf }) => {
    const cmd = await fetch(`/api/robots/${id}/command`, { method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify({ type: "teleop", linear: 0.3, angular: 0 }) });
    const list = await fetch("/api/robots");
    return { cmd: cmd.status, list: list.status };
  }, { id, csrf });
  assert.equal(codes.cmd, 401, "a command after logging out is refused");
  assert.equal(codes.list, 401, "the robot list after logging out is refused");
  const pL = (await obs.fresh(id)).status.pose;
  assert.ok(dist(pL, pE1) < 0.02, `${id} did not move after logging out: ${f2(pE1)} -> ${f2(pL)}`);
  log(`after logout: command -> ${codes.cmd}, robots -> ${codes.list}; ${id} still at ${f2(pL)}`);

  // the hub's audit log (hash-chained JSONL in its workdir) has what happened, with outcomes
  const audit = readJsonl(join(hubDir, "fleet_audit.jsonl"));
  const acts = new Set(audit.map((l) => `${l.user}:${l.action}:${l.outcome}`));
  for (const want of ["operator:login:ok", "operator:kb_upload:denied", `${EDITOR.user}:kb_upload:ok`, `${EDITOR.user}:kb_upload:invalid`,
    `${EDITOR.user}:kb_push:ok`, "operator:estop_release:ok", "operator:teleop:ok", "operator:estop:ok", "operator:logout:ok"]) {
    assert.ok(acts.has(want), `audit has ${want}: ${[...acts].join(", ")}`);
  }
  assert.equal(audit.filter((l) => l.action === "kb_push" && l.outcome === "ok").length, N, "a kb_push audit line per robot");
  log("audit lines:", audit.length);

  assert.ok(hub.alive(), "letan fleet demo still running");
  assert.equal(errors.failed, false, "no page errors");
  console.log(`HUB E2E PASS in ${((Date.now() - t0) / 1000).toFixed(1)} s (KB push: every robot reported it after ${reportMs} ms; ` +
    `teleop: moving in the 1 Hz status ${firstMove} ms after the mouse went down; e-stop reported after ${estopMs} ms)`);
} catch (e) {
  h.fail("HUB E2E", e);
} finally {
  await h.finish();
  console.log(`[hub-e2e] elapsed ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
// Node's fetch keeps idle connections to the (gone) hub open for a few seconds: do not wait for them.
process.exit();

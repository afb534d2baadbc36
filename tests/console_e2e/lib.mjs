// Shared plumbing of the headless-Chromium end-to-end tests in this folder (e2e.mjs, sim_e2e.mjs,
// screen_e2e.mjs, hub_e2e.mjs): the browser, the server process under test (started, waited for, always
// stopped), temp folders, exit handling, waiting/polling and a few small helpers. Each test's steps and
// assertions stay in its own file.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The system's Chromium ($CHROMIUM, default /usr/bin/chromium). */
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
/** The letan binary ($LETAN_BIN, default target/debug/letan). */
export const LETAN = process.env.LETAN_BIN || join(root, "target/debug/letan");
/** Chromium's command line for every test. */
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Throws "<path> missing: <how to build it>" when a binary has not been built. */
export function requireBinary(path, build) {
  if (!existsSync(path)) throw new Error(`${path} missing: ${build}`);
  return path;
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * `waitFor(page, fn, arg, what, timeout?)`: page.waitForFunction with this test's default timeout and
 * polling interval (ms); on timeout it throws "timed out waiting for <what> (<timeout> ms)".
 */
export function makeWaitFor({ timeout: defaultTimeout, polling }) {
  return async function waitFor(page, fn, arg, what, timeout = defaultTimeout) {
    try {
      return await page.waitForFunction(fn, arg, { timeout, polling });
    } catch (e) {
      throw new Error(`timed out waiting for ${what} (${timeout} ms)`);
    }
  };
}

/**
 * Records uncaught page errors: each is printed ("page error: …") and sets `.failed`, which the test
 * asserts false at its end.
 */
export function watchPageErrors(page) {
  const state = { failed: false };
  page.on("pageerror", (e) => { console.error("page error:", e.message); state.failed = true; });
  return state;
}

/** Number of non-transparent pixels of a canvas (has something been drawn?). */
export const canvasPixels = (page, sel) => page.$eval(sel, (c) => {
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n;
});
/** The operator console's shown linear velocity (#st-cmd data-linear, 0 when unset). */
export const linear = (page) => page.$eval("#st-cmd", (e) => Number(e.dataset.linear || "0"));
/** Distance between two {x, y} points. */
export const dist = (a, b) => Math.hypot(a.x - b.x, a.y - b.y);
/** "(x, y)" with two decimals. */
export const f2 = (p) => `(${p.x.toFixed(2)}, ${p.y.toFixed(2)})`;
/** The lines of a JSONL file (an audit log), parsed. */
export const readJsonl = (path) => readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));

/**
 * Logs in through POST /api/login from this script (not the browser), asserting 200 ("<user> login"),
 * and returns the session: its cookie and `getJson(path, what)`, a GET with the cookie asserting 200
 * (message `what`).
 */
export async function apiSession(url, username, password) {
  const r = await fetch(new URL("/api/login", url), {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(r.status, 200, `${username} login`);
  const cookie = r.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  return {
    cookie,
    async getJson(path, what) {
      const s = await fetch(new URL(path, url), { headers: { Cookie: cookie } });
      assert.equal(s.status, 200, what);
      return s.json();
    },
  };
}

/**
 * A server process under test. `start()` spawns it and resolves once its stdout prints
 * "<listening> listening on http://…" (the URL is then `.url`); it rejects if that does not come within
 * `timeoutMs`, or the process cannot start or exits first.
 *   name       what messages call it ("server", "letan sim")
 *   command, args, cwd
 *   detached   own process group: signals go to the whole group
 *   listening  the part before " listening on" ("console", "screen", "fleet hub")
 *   build      how to build the command, named when it cannot be started
 *   stopSteps  [[signal, ms to wait for the exit], …] for `stop()`
 *   logStop    log how the stop went (log: the test's logger, also told of an early exit)
 *   tails      on failure print the last 3000/6000 characters of stdout/stderr, else all of stderr
 */
export class Server {
  constructor(opts) {
    this.opts = { args: [], detached: false, timeoutMs: 60000, stopSteps: [["SIGINT", 3000], ["SIGKILL", 2000]], ...opts };
    this.name = this.opts.name;
    this.proc = null;
    this.url = null;
    this.stopping = false;
    this.out = "";
    this.err = "";
  }

  stdout() { return this.out; }
  stderr() { return this.err; }
  /** Started and neither exited nor killed. */
  alive() { return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null; }

  start() {
    const { name, command, args, cwd, detached, listening, timeoutMs, build, log } = this.opts;
    const ready = new RegExp(`${listening} listening on (http:\\/\\/[^\\s]+)`);
    return new Promise((resolve, reject) => {
      const proc = spawn(command, args, { cwd, detached, stdio: ["ignore", "pipe", "pipe"] });
      this.proc = proc;
      const timer = setTimeout(() => reject(new Error(`${name} printed no ${listening} URL in ${timeoutMs / 1000} s`)), timeoutMs);
      proc.stdout.on("data", (d) => {
        this.out += d;
        const m = this.out.match(ready);
        if (m && !this.url) { this.url = m[1]; clearTimeout(timer); resolve(this); }
      });
      proc.stderr.on("data", (d) => { this.err += d; });
      proc.on("error", (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${command}: ${e.message}` + (build ? ` (build it: ${build})` : "")));
      });
      proc.on("exit", (code, sig) => {
        clearTimeout(timer);
        if (!this.url) reject(new Error(`${name} exited (${code ?? sig}) before serving the ${listening}`));
        else if (!this.stopping && log) log(`${name} exited early (${code ?? sig})`);
      });
    });
  }

  /** Sends `signal` if it still runs (to its process group when detached). */
  signal(signal) {
    if (!this.alive()) return;
    if (this.opts.detached) {
      try { process.kill(-this.proc.pid, signal); } catch (_) { try { this.proc.kill(signal); } catch (_) { /* gone */ } }
    } else {
      try { this.proc.kill(signal); } catch (_) { /* gone */ }
    }
  }

  /** Goes through the stop steps until it has exited; true if it has. */
  async stop(steps = this.opts.stopSteps) {
    if (!this.proc) return true;
    this.stopping = true;
    const exited = new Promise((r) => { if (!this.alive()) r(); else this.proc.once("exit", r); });
    const t = Date.now();
    let waited = 0;
    for (const [i, [signal, ms]] of steps.entries()) {
      if (!this.alive()) break;
      if (i > 0 && this.opts.logStop) this.opts.log(`${this.name} still running ${waited / 1000} s after ${steps[0][0]}: ${signal}`);
      this.signal(signal);
      // wait for the exit or `ms`; the timer is cleared so that it does not hold the script up afterwards
      let timer;
      await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, ms); })]);
      clearTimeout(timer);
      waited += ms;
    }
    if (this.opts.logStop && !this.alive()) this.opts.log(`${this.name} stopped ${Date.now() - t} ms after ${steps[0][0]}`);
    return !this.alive();
  }

  /** Prints what it wrote, for a failed test. */
  dump() {
    if (!this.proc) return;
    if (this.opts.tails) {
      console.error(`${this.name} stdout (tail):\n` + this.out.slice(-3000));
      console.error(`${this.name} stderr (tail):\n` + this.err.slice(-6000));
    } else {
      console.error(`${this.name} stderr:\n` + this.err);
    }
  }
}

/**
 * One test run: its logger (`log`, lines "[tag +1.23s] …", from `t0`), a temp folder (`work`), the
 * servers and browser it starts. Whatever ends the script (the end, an exception, SIGINT/SIGTERM/SIGHUP:
 * exit 130), the servers are killed and the temp folders removed.
 */
export class Harness {
  constructor(tag, workPrefix) {
    this.tag = tag;
    this.t0 = Date.now();
    this.log = (...a) => console.log(`[${tag} +${((Date.now() - this.t0) / 1000).toFixed(2)}s]`, ...a);
    this.work = mkdtempSync(join(tmpdir(), workPrefix));
    this.servers = [];
    this.cleanups = [];
    this.ctx = null;
    process.on("exit", () => this.cleanup());
    for (const s of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(s, () => { console.error(`${tag}: ${s}, stopping`); process.exit(130); });
  }

  /** A Server (see there) that this run stops and dumps on failure; not started yet. */
  server(opts) {
    const s = new Server({ log: this.log, ...opts });
    this.servers.push(s);
    return s;
  }

  /** Runs `fn` in cleanup(), after the servers are killed and before `work` is removed. */
  onCleanup(fn) { this.cleanups.push(fn); }

  /**
   * Headless Chromium with a fresh profile in `work`; `options` are added to Playwright's
   * launchPersistentContext options (viewport, hasTouch, …). Returns its first page.
   */
  async browser(options = {}) {
    this.ctx = await chromium.launchPersistentContext(join(this.work, "chromium-profile"), {
      executablePath: CHROMIUM,
      headless: true,
      ...options,
      args: CHROMIUM_ARGS,
    });
    return this.ctx.pages()[0] || (await this.ctx.newPage());
  }

  /** A failed test: "<label> FAIL: <message>", what the servers wrote, exit code 1. */
  fail(label, e) {
    console.error(`${label} FAIL:`, e.message);
    for (const s of this.servers) s.dump();
    process.exitCode = 1;
  }

  /** The end of a run, passed or not: close the browser, stop the servers, clean up. */
  async finish() {
    if (this.ctx) await this.ctx.close().catch(() => {});
    for (const s of this.servers) await s.stop().catch(() => {});
    this.cleanup();
  }

  /** Kill what still runs (SIGKILL), run the registered clean-ups, remove `work`; safe to repeat. */
  cleanup() {
    for (const s of this.servers) s.signal("SIGKILL");
    for (const fn of this.cleanups) fn();
    rmSync(this.work, { recursive: true, force: true });
  }
}

// Letan operator console. Plain JS, no dependencies, works offline.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const TELEOP_HZ = 10;
  let session = null;      // {user, role, csrf, teleop_max_linear_mps, ...}
  let events = null;       // EventSource
  let lastState = null;
  let cameraSeq = -1;
  let placesKey = "";

  // ---------- HTTP ----------
  async function api(method, path, body) {
    const headers = {};
    if (session && session.csrf) headers["X-CSRF-Token"] = session.csrf;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let r;
    try {
      r = await fetch(path, {
        method, headers, credentials: "same-origin", cache: "no-store",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      return { status: 0, data: { error: "network error" } };  // the robot stops by itself (deadman)
    }
    let data = null;
    try { data = await r.json(); } catch (_) { data = null; }
    if (r.status === 401 && session) { showLogin("Your session ended. Please log in again."); }
    return { status: r.status, data };
  }
  function say(msg, bad) {
    const m = $("control-msg");
    m.textContent = msg;
    m.className = bad ? "err" : "";
  }
  async function command(path, body, label) {
    const r = await api("POST", path, body === undefined ? {} : body);
    if (r.status === 200) say(label + ": sent");
    else say(label + ": refused (" + r.status + (r.data && r.data.error ? ", " + r.data.error : "") + ")", true);
    return r;
  }

  // ---------- login / logout ----------
  function showLogin(msg) {
    stopDriving();
    session = null;
    if (events) { events.close(); events = null; }
    document.body.className = "";
    $("app-view").hidden = true;
    $("login-view").hidden = false;
    $("logout").hidden = true;
    $("who").textContent = "";
    $("login-error").textContent = msg || "";
    $("password").value = "";
    $("username").focus();
  }
  function showApp(s) {
    session = s;
    document.body.className = s.role;
    $("login-view").hidden = true;
    $("app-view").hidden = false;
    $("logout").hidden = false;
    $("who").textContent = s.user + " (" + s.role + ")";
    connect();
  }
  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("login-error").textContent = "";
    const r = await api("POST", "/api/login", { username: $("username").value, password: $("password").value });
    if (r.status === 200) {
      const s = await api("GET", "/api/session");
      if (s.status === 200) showApp(s.data);
    } else if (r.status === 429) {
      $("login-error").textContent = (r.data && r.data.error) || "Too many attempts, wait and retry.";
    } else {
      $("login-error").textContent = "Wrong user name or password.";
    }
  });
  $("logout").addEventListener("click", async () => {
    stopDriving();
    await api("POST", "/api/logout", {});
    showLogin("Logged out.");
  });

  // ---------- live state ----------
  function connect() {
    if (events) events.close();
    events = new EventSource("/api/events");
    events.addEventListener("state", (ev) => {
      $("st-link").textContent = "live";
      try { render(JSON.parse(ev.data)); } catch (e) { /* keep the last good view */ }
    });
    events.addEventListener("session", () => showLogin("Your session ended. Please log in again."));
    events.onerror = () => { $("st-link").textContent = "reconnecting…"; };
  }

  function fmt(v, d) { return (Math.round(v * 10 ** d) / 10 ** d).toFixed(d); }

  function render(s) {
    lastState = s;
    const mux = s.mux || {};
    const es = $("st-estop");
    es.textContent = mux.estop ? "ENGAGED (" + mux.estop + ")" : "released";
    es.className = mux.estop ? "bad" : "ok";
    es.dataset.engaged = mux.estop ? "1" : "0";
    $("st-active").textContent = mux.active || "none";
    const cmd = $("st-cmd");
    cmd.textContent = "v " + fmt(mux.cmd_linear || 0, 2) + " m/s, ω " + fmt(mux.cmd_angular || 0, 2) + " rad/s";
    cmd.dataset.linear = String(mux.cmd_linear || 0);
    cmd.dataset.angular = String(mux.cmd_angular || 0);
    const pose = $("st-pose");
    if (s.pose) {
      pose.textContent = "x " + fmt(s.pose.x, 2) + " m, y " + fmt(s.pose.y, 2) + " m, θ " + fmt(s.pose.yaw, 2) + " rad";
      pose.dataset.x = String(s.pose.x); pose.dataset.y = String(s.pose.y);
    } else pose.textContent = "not localized";
    $("st-goal").textContent = s.goal || "none";
    const nodes = $("nodes"); nodes.replaceChildren();
    for (const n of s.nodes || []) {
      const li = document.createElement("li");
      li.textContent = n.name + ": " + (n.ok ? "ok" : "FAIL") + (n.detail ? " – " + n.detail : "");
      li.className = n.ok ? "ok" : "bad";
      nodes.appendChild(li);
    }
    $("dialog-state").textContent = s.dialog_state || "–";
    const tr = $("transcript"); tr.replaceChildren();
    for (const l of s.transcript || []) {
      const li = document.createElement("li");
      li.lang = l.lang;
      li.textContent = l.speaker + " (" + l.lang + "): " + l.text;
      tr.appendChild(li);
    }
    renderAlerts(s.alerts || []);
    renderPlaces(s.places || []);
    if (s.camera_seq !== cameraSeq) {
      cameraSeq = s.camera_seq;
      $("camera").src = "/api/camera.jpg?seq=" + encodeURIComponent(cameraSeq);
    }
    drawMap(s);
  }

  function renderAlerts(alerts) {
    const ul = $("alerts"); ul.replaceChildren();
    if (!alerts.length) { const li = document.createElement("li"); li.textContent = "No alerts."; ul.appendChild(li); }
    for (const a of alerts) {
      const li = document.createElement("li");
      li.textContent = new Date(a.at_ms).toLocaleTimeString() + " – " + a.text + " ";
      if (a.acknowledged_by) {
        const s = document.createElement("em"); s.textContent = "(acknowledged by " + a.acknowledged_by + ")"; li.appendChild(s);
      } else if (session && session.role === "operator") {
        const b = document.createElement("button");
        b.type = "button"; b.textContent = "Acknowledge";
        b.addEventListener("click", () => command("/api/alerts/ack", { id: a.id }, "Acknowledge"));
        li.appendChild(b);
      } else { li.classList.add("bad"); }
      ul.appendChild(li);
    }
  }

  function renderPlaces(places) {
    const key = places.map((p) => p.id).join(",");
    if (key === placesKey) return;
    placesKey = key;
    const sel = $("place"); const cur = sel.value; sel.replaceChildren();
    for (const p of places) { const o = document.createElement("option"); o.value = p.id; o.textContent = p.id.replace(/_/g, " "); sel.appendChild(o); }
    if (cur) sel.value = cur;
  }

  function drawMap(s) {
    const c = $("map"); const g = c.getContext("2d");
    const m = s.map || { min: { x: 0, y: 0 }, max: { x: 10, y: 10 }, walls: [] };
    const w = Math.max(m.max.x - m.min.x, 1), h = Math.max(m.max.y - m.min.y, 1);
    const pad = 12, k = Math.min((c.width - 2 * pad) / w, (c.height - 2 * pad) / h);
    const X = (x) => pad + (x - m.min.x) * k, Y = (y) => c.height - pad - (y - m.min.y) * k; // map y up
    g.clearRect(0, 0, c.width, c.height);
    g.strokeStyle = "#333"; g.lineWidth = 3;
    for (const wl of m.walls || []) { g.beginPath(); g.moveTo(X(wl[0]), Y(wl[1])); g.lineTo(X(wl[2]), Y(wl[3])); g.stroke(); }
    g.font = "11px system-ui, sans-serif";
    for (const p of s.places || []) {
      g.fillStyle = "#4a5a6a"; g.fillRect(X(p.x) - 4, Y(p.y) - 4, 8, 8);
      if (!/^counter_([2-9]|1[01])$/.test(p.id)) g.fillText(p.id.replace(/_/g, " "), X(p.x) + 6, Y(p.y) - 4);
    }
    if (s.path && s.path.length > 1) {
      g.strokeStyle = "#e07b00"; g.lineWidth = 2; g.setLineDash([6, 4]); g.beginPath();
      s.path.forEach((p, i) => (i ? g.lineTo(X(p.x), Y(p.y)) : g.moveTo(X(p.x), Y(p.y))));
      g.stroke(); g.setLineDash([]);
    }
    for (const p of s.people || []) { g.fillStyle = "#b0006d"; g.beginPath(); g.arc(X(p.x), Y(p.y), 6, 0, 2 * Math.PI); g.fill(); }
    if (s.pose) {
      const r = 0.45 * k, x = X(s.pose.x), y = Y(s.pose.y), t = -s.pose.yaw;
      g.fillStyle = (s.mux && s.mux.estop) ? "#c00" : "#0b5fff";
      g.beginPath();
      g.moveTo(x + r * Math.cos(t), y + r * Math.sin(t));
      g.lineTo(x + r * Math.cos(t + 2.5), y + r * Math.sin(t + 2.5));
      g.lineTo(x + r * Math.cos(t - 2.5), y + r * Math.sin(t - 2.5));
      g.closePath(); g.fill();
    }
    const txt = $("map-text"); txt.replaceChildren();
    const add = (t) => { const li = document.createElement("li"); li.textContent = t; txt.appendChild(li); };
    if (s.pose) add("Robot at x " + fmt(s.pose.x, 1) + ", y " + fmt(s.pose.y, 1));
    for (const p of s.people || []) add("Person " + p.id + " at x " + fmt(p.x, 1) + ", y " + fmt(p.y, 1));
    for (const p of s.places || []) add(p.id + " at x " + fmt(p.x, 1) + ", y " + fmt(p.y, 1));
  }

  // ---------- driving with deadman ----------
  const keys = new Set();
  let joy = null;          // {x, y} in [-1, 1] while dragged
  let padTwist = null;     // {linear, angular} while the deadman button is held
  let sending = false;     // the last command sent was nonzero
  let seq = 0;

  function maxLin() { return (session && session.teleop_max_linear_mps) || 0.3; }
  function maxAng() { return (session && session.teleop_max_angular_rps) || 0.8; }

  function currentTwist() {
    if (!session || session.role !== "operator") return null;
    if (keys.size) {
      let l = 0, a = 0;
      if (keys.has("KeyW") || keys.has("ArrowUp")) l += 1;
      if (keys.has("KeyS") || keys.has("ArrowDown")) l -= 1;
      if (keys.has("KeyA") || keys.has("ArrowLeft")) a += 1;
      if (keys.has("KeyD") || keys.has("ArrowRight")) a -= 1;
      return { linear: l * maxLin(), angular: a * maxAng(), source: "keyboard" };
    }
    if (joy) return { linear: -joy.y * maxLin(), angular: -joy.x * maxAng(), source: "joystick" };
    if (padTwist) return { linear: padTwist.linear, angular: padTwist.angular, source: "gamepad" };
    return null;
  }

  function showDrive(t) {
    $("drive-out").textContent = t ? "v " + fmt(t.linear, 2) + ", ω " + fmt(t.angular, 2) + " (" + t.source + ")" : "stopped";
  }

  async function sendTeleop(t) {
    const my = ++seq;
    const r = await api("POST", "/api/teleop", t);
    if (my === seq && r.status !== 200) say("Drive refused (" + r.status + ")", true);
  }

  function tick() {
    pollGamepad();
    const t = currentTwist();
    if (t) { sending = true; showDrive(t); sendTeleop(t); }
    else if (sending) stopDriving();
  }
  function stopDriving() {
    keys.clear(); joy = null; padTwist = null; drawJoystick();
    showDrive(null);
    if (sending && session) { sending = false; sendTeleop({ linear: 0, angular: 0, source: "release" }); }
    sending = false;
  }
  setInterval(tick, 1000 / TELEOP_HZ);

  const DRIVE_KEYS = ["KeyW", "KeyA", "KeyS", "KeyD", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"];
  function typing(ev) { const t = ev.target; return t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA"); }
  window.addEventListener("keydown", (ev) => {
    if (!session || typing(ev) || !DRIVE_KEYS.includes(ev.code)) return;
    ev.preventDefault();
    if (!keys.has(ev.code)) { keys.add(ev.code); tick(); }
  });
  window.addEventListener("keyup", (ev) => {
    if (!keys.has(ev.code)) return;
    keys.delete(ev.code);
    if (!currentTwist()) stopDriving();
  });
  window.addEventListener("blur", stopDriving);
  document.addEventListener("visibilitychange", () => { if (document.hidden) stopDriving(); });

  // on-screen joystick
  const js = $("joystick");
  function drawJoystick() {
    const g = js.getContext("2d"), c = js.width / 2;
    g.clearRect(0, 0, js.width, js.height);
    g.strokeStyle = "#8895a5"; g.lineWidth = 2; g.beginPath(); g.arc(c, c, c - 4, 0, 2 * Math.PI); g.stroke();
    const x = c + (joy ? joy.x : 0) * (c - 24), y = c + (joy ? joy.y : 0) * (c - 24);
    g.fillStyle = joy ? "#0b5fff" : "#5a6878"; g.beginPath(); g.arc(x, y, 20, 0, 2 * Math.PI); g.fill();
  }
  function joyFrom(ev) {
    const r = js.getBoundingClientRect();
    let x = ((ev.clientX - r.left) / r.width) * 2 - 1, y = ((ev.clientY - r.top) / r.height) * 2 - 1;
    const n = Math.hypot(x, y); if (n > 1) { x /= n; y /= n; }
    if (Math.hypot(x, y) < 0.12) { x = 0; y = 0; }
    joy = { x, y }; drawJoystick();
  }
  js.addEventListener("pointerdown", (ev) => { js.setPointerCapture(ev.pointerId); joyFrom(ev); tick(); });
  js.addEventListener("pointermove", (ev) => { if (joy) joyFrom(ev); });
  for (const e of ["pointerup", "pointercancel", "lostpointercapture"]) js.addEventListener(e, () => { if (joy) { joy = null; stopDriving(); } });
  drawJoystick();

  // gamepad: hold the left shoulder (button 4) as deadman, left stick drives
  function pollGamepad() {
    const pads = navigator.getGamepads ? Array.from(navigator.getGamepads()).filter(Boolean) : [];
    $("pad").textContent = pads.length ? pads[0].id.slice(0, 40) : "none";
    if (!pads.length) { padTwist = null; return; }
    const p = pads[0];
    const held = p.buttons[4] && p.buttons[4].pressed;
    if (!held) { padTwist = null; return; }
    const dz = (v) => (Math.abs(v) < 0.1 ? 0 : v);
    padTwist = { linear: -dz(p.axes[1] || 0) * maxLin(), angular: -dz(p.axes[0] || 0) * maxAng() };
  }
  window.addEventListener("gamepaddisconnected", () => { padTwist = null; });

  // ---------- other controls ----------
  $("estop").addEventListener("click", () => { stopDriving(); command("/api/estop", {}, "E-stop"); });
  $("release").addEventListener("click", () => command("/api/estop/release", {}, "Release"));
  $("goto-form").addEventListener("submit", (ev) => { ev.preventDefault(); command("/api/goto", { place: $("place").value }, "Go to " + $("place").value); });
  $("cancel-goal").addEventListener("click", () => command("/api/goal/cancel", {}, "Cancel goal"));
  $("dock").addEventListener("click", () => command("/api/dock", {}, "Return to dock"));
  $("say-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r = await command("/api/say", { text: $("say-text").value, lang: $("say-lang").value }, "Say");
    if (r.status === 200) $("say-text").value = "";
  });
  $("map").addEventListener("click", () => $("map").focus());
  $("map").tabIndex = 0;

  // ---------- start ----------
  // The login form is already showing; a reply that comes late must not clear what the operator has
  // typed meanwhile (it did on a slow machine: the password emptied under the operator's fingers).
  (async () => {
    const r = await api("GET", "/api/session");
    if (r.status === 200 && !session) showApp(r.data);
    else if (!session && !$("username").value) $("username").focus();
  })();
})();

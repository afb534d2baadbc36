// The fleet hub's page: the robots table (teleop, e-stop, KB upload/push/roll-back), a page per robot
// (#robot/<id>: map with its pose, camera, status, health, recent events, what people asked it) and
// what citizens asked across the fleet (#asked). Plain DOM: data goes into textContent only, never parsed as HTML.
let csrf = null, version = null, held = null;
const $ = (id) => document.getElementById(id);
async function api(method, url, body, raw) {
  const h = {};
  if (csrf) h['X-CSRF-Token'] = csrf;
  if (body !== undefined && !raw) h['Content-Type'] = 'application/json';
  const r = await fetch(url, {method, headers: h, body: raw ? body : (body === undefined ? undefined : JSON.stringify(body))});
  const t = await r.text();
  let j = null; try { j = JSON.parse(t); } catch (e) {}
  if (!r.ok) throw new Error((j && (j.errors ? j.error + ': ' + j.errors.join('; ') : j.error)) || r.status);
  return j;
}
function show(e) { $('err').textContent = e ? String(e.message || e) : ''; }
const el = (tag, text, cls) => { const x = document.createElement(tag); if (text !== undefined) x.textContent = text; if (cls) x.className = cls; return x; };
const time = (ms) => new Date(ms).toLocaleTimeString();
$('lf').onsubmit = async (ev) => {
  ev.preventDefault();
  try { const j = await api('POST', '/api/login', {username: $('u').value, password: $('p').value});
    csrf = j.csrf; $('me').textContent = j.user; $('login').hidden = true; $('app').hidden = false; show(); route(); }
  catch (e) { show(e); }
};
$('lo').onclick = async () => { try { await api('POST', '/api/logout'); } catch (e) {} location.hash = ''; location.reload(); };
function cmd(id, body) { return api('POST', '/api/robots/' + encodeURIComponent(id) + '/command', body).catch(show); }
function drive(id, lin, ang) {
  stop();
  const send = () => cmd(id, {type: 'teleop', linear: lin, angular: ang});
  send(); held = setInterval(send, 100);
}
function stop() { if (held) { clearInterval(held); held = null; } }
addEventListener('mouseup', stop); addEventListener('blur', stop);

// ---------- views: '' the fleet, '#robot/<id>', '#asked' ----------
let view = {name: 'fleet'}, robots = [];
function route() {
  const h = location.hash;
  if (h.startsWith('#robot/')) view = {name: 'robot', id: decodeURIComponent(h.slice(7)), map: null, mapAt: 0, camAt: 0, askedAt: 0};
  else if (h === '#asked') view = {name: 'asked', at: 0};
  else view = {name: 'fleet'};
  $('fleet').hidden = view.name !== 'fleet'; $('robot').hidden = view.name !== 'robot'; $('asked').hidden = view.name !== 'asked';
  if (view.name === 'robot') {
    $('r-id').textContent = view.id; $('r-site').textContent = ''; $('r-online').textContent = '';
    $('r-mapinfo').textContent = 'map: loading…'; $('r-caminfo').textContent = 'camera: loading…';
    for (const id of ['r-status', 'r-health', 'r-events', 'r-asked']) $(id).textContent = '';
    $('r-asked-sum').textContent = ''; $('r-cam').hidden = true;
  }
  if (csrf) refresh();
}
addEventListener('hashchange', route);

async function refresh() {
  try {
    robots = await api('GET', '/api/robots');
    if (view.name === 'fleet') fleetTable();
    else if (view.name === 'robot') await robotPage();
    else if (view.name === 'asked') await askedPage();
    show();
  } catch (e) { show(e); }
}
setInterval(() => { if (csrf && !held) refresh(); }, 1000);

function fleetTable() {
  const tb = $('rows'); tb.textContent = '';
  for (const r of robots) {
    const s = r.status || {};
    const tr = document.createElement('tr'); tr.dataset.robot = r.id;
    const cell = (t, c) => { const td = el('td', t, c); tr.appendChild(td); return td; };
    const link = el('a', r.id); link.href = '#robot/' + encodeURIComponent(r.id); link.className = 'robot-link';
    cell().appendChild(link);
    cell(r.site); cell(r.online ? 'online' : 'offline', r.online ? 'on' : 'off'); cell(r.kb_version);
    cell(s.dialog_state || ''); cell(s.nav_state || ''); cell(s.estop ? 'ENGAGED' : ''); cell(String(r.alerts.length));
    const nodes = s.nodes || [], silent = nodes.filter((n) => !n.ok).map((n) => n.name);
    cell(!nodes.length ? '' : silent.length ? 'silent: ' + silent.join(', ') : 'ok', silent.length ? 'off' : (nodes.length ? 'on' : ''));
    tr.lastChild.title = nodes.map((n) => n.name + ': ' + (n.detail || (n.ok ? 'ok' : 'silent'))).join('\n');
    const td = document.createElement('td');
    const b = (label, f, cls) => { const x = el('button', label, cls); x.onmousedown = f; td.appendChild(x); };
    b('▲', () => drive(r.id, 0.3, 0), 'fwd'); b('◀', () => drive(r.id, 0, 0.6)); b('▶', () => drive(r.id, 0, -0.6));
    b('E-STOP', () => cmd(r.id, {type: 'estop', engage: true})); b('release', () => cmd(r.id, {type: 'estop', engage: false}));
    tr.appendChild(td); tb.appendChild(tr);
  }
}

// ---------- one robot ----------
// A binary PGM (P5, maxval < 256) with its comments: {w, h, px, comments}.
function parsePgm(buf) {
  const b = new Uint8Array(buf);
  let i = 0; const comments = [], tok = [];
  while (tok.length < 4 && i < b.length) {
    const c = b[i];
    if (c === 35) { let j = i; while (j < b.length && b[j] !== 10) j++; comments.push(new TextDecoder().decode(b.subarray(i + 1, j)).trim()); i = j + 1; continue; }
    if (c === 32 || c === 9 || c === 10 || c === 13) { i++; continue; }
    let j = i; while (j < b.length && ![32, 9, 10, 13, 35].includes(b[j])) j++;
    tok.push(new TextDecoder().decode(b.subarray(i, j))); i = j;
  }
  const [magic, w, h, max] = [tok[0], Number(tok[1]), Number(tok[2]), Number(tok[3])];
  if (magic !== 'P5' || !(w > 0 && h > 0) || !(max > 0 && max < 256) || b.length < i + 1 + w * h) throw new Error('not a P5 PGM');
  return {w, h, px: b.subarray(i + 1, i + 1 + w * h), comments};
}
// The map's placement from its comment "resolution R origin X Y YAW", or null.
function placement(comments) {
  for (const c of comments) {
    const m = /resolution ([-0-9.e]+) origin ([-0-9.e]+) ([-0-9.e]+) ([-0-9.e]+)/.exec(c);
    if (m) return {res: Number(m[1]), x: Number(m[2]), y: Number(m[3]), yaw: Number(m[4])};
  }
  return null;
}
async function loadMap(id) {
  const r = await fetch('/api/robots/' + encodeURIComponent(id) + '/map');
  if (!r.ok) { let j = null; try { j = await r.json(); } catch (e) {} throw new Error((j && j.error) || String(r.status)); }
  const pgm = parsePgm(await r.arrayBuffer());
  const off = document.createElement('canvas'); off.width = pgm.w; off.height = pgm.h;
  const ctx = off.getContext('2d'), img = ctx.createImageData(pgm.w, pgm.h);
  for (let k = 0; k < pgm.w * pgm.h; k++) { const v = pgm.px[k]; img.data.set([v, v, v, 255], 4 * k); }
  ctx.putImageData(img, 0, 0);
  return {...pgm, image: off, place: placement(pgm.comments), scale: Math.max(1, Math.min(8, Math.floor(600 / pgm.w)))};
}
function drawMap(map, pose) {
  const c = $('r-map'), s = map.scale;
  if (c.width !== map.w * s) { c.width = map.w * s; c.height = map.h * s; }
  const ctx = c.getContext('2d');
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(map.image, 0, 0, c.width, c.height);
  c.dataset.pose = '';
  if (!pose || !map.place) return;
  const p = map.place, dx = pose.x - p.x, dy = pose.y - p.y;
  const lx = Math.cos(p.yaw) * dx + Math.sin(p.yaw) * dy, ly = -Math.sin(p.yaw) * dx + Math.cos(p.yaw) * dy;
  const u = lx / p.res * s, v = (map.h - ly / p.res) * s, yaw = pose.yaw - p.yaw;
  ctx.fillStyle = '#d00'; ctx.strokeStyle = '#d00'; ctx.lineWidth = 2;
  ctx.beginPath(); ctx.arc(u, v, Math.max(4, 0.25 / p.res * s), 0, 2 * Math.PI); ctx.fill();
  ctx.beginPath(); ctx.moveTo(u, v); ctx.lineTo(u + Math.cos(yaw) * 0.6 / p.res * s, v - Math.sin(yaw) * 0.6 / p.res * s); ctx.stroke();
  c.dataset.pose = `${u.toFixed(1)},${v.toFixed(1)}`;
}
async function robotPage() {
  const v = view, r = robots.find((x) => x.id === v.id);
  if (!r) { $('r-online').textContent = 'not listed'; return; }
  $('r-site').textContent = r.site; $('r-online').textContent = r.online ? 'online' : 'offline';
  $('r-online').className = r.online ? 'on' : 'off';
  const s = r.status || {}, now = Date.now();
  const rows = [['KB', r.kb_version], ['software', r.software_version], ['dialog', s.dialog_state], ['navigation', s.nav_state],
    ['e-stop', s.estop ? 'ENGAGED' : 'released'], ['input', s.active_input],
    ['pose', s.pose ? `x ${s.pose.x.toFixed(2)} m, y ${s.pose.y.toFixed(2)} m, yaw ${(s.pose.yaw * 180 / Math.PI).toFixed(0)}°` : 'unknown'],
    ['last seen', r.last_seen_ms ? time(r.last_seen_ms) : '']];
  const tb = $('r-status'); tb.textContent = '';
  for (const [k, val] of rows) { const tr = el('tr'); tr.appendChild(el('th', k)); tr.appendChild(el('td', val == null ? '' : String(val))); tb.appendChild(tr); }
  const ul = $('r-health'); ul.textContent = '';
  for (const n of s.nodes || []) ul.appendChild(el('li', `${n.name}: ${n.ok ? 'ok' : 'SILENT'}${n.detail ? ' (' + n.detail + ')' : ''}`, n.ok ? 'on' : 'off'));
  if (!(s.nodes || []).length) ul.appendChild(el('li', 'no node health reported'));
  const ev = $('r-events'); ev.textContent = '';
  for (const e of [...r.alerts].reverse()) {
    const what = e.kind === 'staff_alert' ? 'staff called: ' + e.reason : e.kind === 'error' ? 'error: ' + e.message : e.kind;
    ev.appendChild(el('li', `${time(e.ts_ms)} ${what}`));
  }
  if (!r.alerts.length) ev.appendChild(el('li', 'no staff alerts or errors'));
  if (!v.map && now - v.mapAt > 10000) {
    v.mapAt = now;
    try { v.map = await loadMap(v.id); $('r-mapinfo').textContent = `map: ${v.map.w}×${v.map.h} cells` + (v.map.place ? `, ${v.map.place.res} m per cell` : ', placement unknown (pose not drawn)'); }
    catch (e) { $('r-mapinfo').textContent = 'map: not available (' + e.message + ')'; }
  }
  if (v.map && view === v) drawMap(v.map, s.pose);
  if (now - v.camAt > 2000) { v.camAt = now; camera(v); }
  if (now - v.askedAt > 5000) { v.askedAt = now; robotAsked(v, r.site); }
}
async function camera(v) {
  try {
    const r = await fetch('/api/robots/' + encodeURIComponent(v.id) + '/image');
    if (!r.ok) { let j = null; try { j = await r.json(); } catch (e) {} throw new Error((j && j.error) || String(r.status)); }
    const url = URL.createObjectURL(await r.blob()), img = $('r-cam');
    if (view !== v) { URL.revokeObjectURL(url); return; }
    const old = img.src; img.src = url; img.hidden = false; if (old.startsWith('blob:')) URL.revokeObjectURL(old);
    $('r-caminfo').textContent = `camera at ${time(Date.now())} (faces pixelated on the robot)`;
  } catch (e) {
    v.camAt = Date.now() + 8000;  // none (or no answer): ask again in 10 s, not 2
    if (view === v) { $('r-cam').hidden = true; $('r-caminfo').textContent = 'camera: not available (' + e.message + ')'; }
  }
}
function questionRows(tb, list, withRobot) {
  tb.textContent = '';
  for (const q of list) {
    const tr = el('tr');
    tr.appendChild(el('td', time(q.ts_ms)));
    if (withRobot) { const td = el('td'); const a = el('a', q.robot); a.href = '#robot/' + encodeURIComponent(q.robot); td.appendChild(a); tr.appendChild(td); }
    tr.appendChild(el('td', q.intent)); tr.appendChild(el('td', q.outcome, q.outcome === 'answered' ? 'on' : 'off')); tr.appendChild(el('td', q.text || ''));
    tb.appendChild(tr);
  }
}
const summary = (a) => `${a.served} asked: ${a.answered} answered, ${a.handed_to_staff} handed to staff, ${a.unanswered} not understood` +
  (a.intents.length ? '; most asked: ' + a.intents.slice(0, 5).map(([i, n]) => `${i} (${n})`).join(', ') : '');
async function robotAsked(v, site) {
  try {
    const a = await api('GET', `/api/asked?site=${encodeURIComponent(site)}&robot=${encodeURIComponent(v.id)}`);
    if (view !== v) return;
    $('r-asked-sum').textContent = summary(a);
    questionRows($('r-asked'), a.recent, false);
  } catch (e) { show(e); }
}

// ---------- what citizens asked, per site ----------
async function askedPage() {
  const v = view, now = Date.now();
  if (now - v.at < 5000) return;
  v.at = now;
  const sites = [...new Set(robots.map((r) => r.site))].sort();
  const parts = [];
  for (const site of sites) parts.push([site, await api('GET', '/api/asked?site=' + encodeURIComponent(site))]);
  if (view !== v) return;
  const box = $('asked-sites'); box.textContent = '';
  if (!parts.length) box.appendChild(el('p', 'no robots, no sites'));
  for (const [site, a] of parts) {
    const sec = el('section'); sec.dataset.site = site;
    sec.appendChild(el('h3', `${site} — ${a.day}`)); sec.appendChild(el('p', summary(a), 'sum'));
    const t = el('table'), th = el('thead'), hr = el('tr');
    for (const h of ['time', 'robot', 'intent', 'outcome', 'text (not understood, redacted)']) hr.appendChild(el('th', h));
    th.appendChild(hr); t.appendChild(th); const tb = el('tbody'); t.appendChild(tb);
    questionRows(tb, a.recent, true); sec.appendChild(t); box.appendChild(sec);
  }
}

$('up').onclick = async () => {
  const f = $('kbf').files[0]; if (!f) return;
  try { const j = await api('POST', '/api/kb', await f.arrayBuffer(), true); version = j.version; $('kbv').textContent = 'checked: ' + version; $('kbout').textContent = ''; }
  catch (e) { version = null; $('kbv').textContent = ''; $('kbout').textContent = String(e.message); }
};
$('push').onclick = async () => {
  if (!version) return;
  try { $('kbout').textContent = JSON.stringify(await api('POST', '/api/kb/push', {version}), null, 1); refresh(); } catch (e) { show(e); }
};
$('rb').onclick = async () => {
  try { $('kbout').textContent = JSON.stringify(await api('POST', '/api/kb/rollback', {}), null, 1); refresh(); } catch (e) { show(e); }
};

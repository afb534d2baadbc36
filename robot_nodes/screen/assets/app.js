// Letan citizen screen. Plain JS, no dependencies, nothing loaded from anywhere but this origin.
"use strict";

// ---------- Vietnamese composition (Telex, tone keys, vowel-mark keys) ----------
// Pure functions on strings; exposed as window.LetanTelex for the browser test.
const LetanTelex = (function () {
  // combining tone marks: index 0 = no tone, 1 sắc, 2 huyền, 3 hỏi, 4 ngã, 5 nặng
  const TONE_MARKS = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"];
  const TELEX_TONES = { s: 1, f: 2, r: 3, x: 4, j: 5 };
  const VOWELS = "aăâeêioôơuưy";
  const MARKED = "ăâêôơư";
  const CIRCUMFLEX = { a: "â", e: "ê", o: "ô" };
  const BREVE_HORN = { a: "ă", o: "ơ", u: "ư" };
  const PLAIN = { "â": "a", "ă": "a", "ê": "e", "ô": "o", "ơ": "o", "ư": "u" };

  const lower = (c) => c.toLowerCase();
  const isVowel = (c) => VOWELS.includes(lower(c));
  const baseOf = (c) => PLAIN[lower(c)] || lower(c);
  // keep the case of `like` when replacing a letter
  const withCase = (like, c) => (like !== lower(like) ? c.toUpperCase() : c);

  // Split off the tone: {chars: [...] (NFC, no tone), tone: 0..5}
  function splitTone(word) {
    let tone = 0, base = "";
    for (const ch of word.normalize("NFD")) {
      const t = TONE_MARKS.indexOf(ch);
      if (t > 0) tone = t; else base += ch;
    }
    return { chars: Array.from(base.normalize("NFC")), tone };
  }

  // The vowel nucleus: the last run of vowels, without the u of "qu" or the i of "gi" before
  // another vowel. Returns {start, end} (end exclusive) or null.
  function nucleus(chars) {
    let i = chars.length - 1;
    while (i >= 0 && !isVowel(chars[i])) i--;
    if (i < 0) return null;
    const end = i + 1;
    let start = i;
    while (start > 0 && isVowel(chars[start - 1])) start--;
    if (end - start > 1 && start > 0) {
      const onset = lower(chars[start - 1]), first = lower(chars[start]);
      if ((onset === "q" && first === "u") || (onset === "g" && first === "i")) start++;
    }
    return { start, end };
  }

  // Where the tone goes (traditional placement: hòa, thủy, của; tiếng, người, toán, quý, giấy).
  function tonePos(chars, nu) {
    for (let k = nu.end - 1; k >= nu.start; k--) if (MARKED.includes(lower(chars[k]))) return k;
    const n = nu.end - nu.start;
    if (n === 1) return nu.start;
    if (n >= 3) return nu.start + 1;
    return nu.end < chars.length ? nu.start + 1 : nu.start;
  }

  function compose(chars, tone) {
    const out = chars.slice();
    const nu = nucleus(out);
    if (nu && tone > 0) {
      const p = tonePos(out, nu);
      out[p] = (out[p] + TONE_MARKS[tone]).normalize("NFC");
    }
    return out.join("");
  }

  // split "text" into [everything before the last word, last word]
  function lastWord(text) {
    const m = /^([\s\S]*?)(\S*)$/.exec(text);
    return [m[1], m[2]];
  }

  // The Telex rules for one key on one word.
  function telexWord(word, key) {
    const k = lower(key);
    const { chars, tone } = splitTone(word);
    const nu = nucleus(chars);
    if (k in TELEX_TONES || k === "z") {
      if (!nu) return word + key;
      const t = k === "z" ? 0 : TELEX_TONES[k];
      if (k === "z" && tone === 0) return word + key;
      if (t === tone) return compose(chars, 0) + key; // pressed twice: undo and type the letter
      return compose(chars, t);
    }
    if (k in CIRCUMFLEX && nu) {
      for (let i = nu.end - 1; i >= nu.start; i--) {
        if (baseOf(chars[i]) !== k) continue;
        if (lower(chars[i]) === CIRCUMFLEX[k]) { // aaa -> aa
          chars[i] = withCase(chars[i], k);
          return compose(chars, tone) + key;
        }
        chars[i] = withCase(chars[i], CIRCUMFLEX[k]);
        return compose(chars, tone);
      }
    }
    if (k === "w") {
      if (!nu) return word + withCase(key, "ư");
      if (word === "ư" || word === "Ư") return withCase(word, "w"); // ww -> w
      const seg = chars.slice(nu.start, nu.end).map((c) => baseOf(c)).join("");
      const uo = seg.indexOf("uo");
      if (uo >= 0) {
        const a = nu.start + uo, b = a + 1;
        if (lower(chars[a]) === "ư" && lower(chars[b]) === "ơ") { // ươ + w -> uo w
          chars[a] = withCase(chars[a], "u"); chars[b] = withCase(chars[b], "o");
          return compose(chars, tone) + key;
        }
        chars[a] = withCase(chars[a], "ư"); chars[b] = withCase(chars[b], "ơ");
        return compose(chars, tone);
      }
      for (let i = nu.end - 1; i >= nu.start; i--) {
        const b = baseOf(chars[i]);
        if (!(b in BREVE_HORN)) continue;
        if (lower(chars[i]) === BREVE_HORN[b]) { // aww -> aw
          chars[i] = withCase(chars[i], b);
          return compose(chars, tone) + key;
        }
        chars[i] = withCase(chars[i], BREVE_HORN[b]);
        return compose(chars, tone);
      }
      return word + key;
    }
    if (k === "d" && chars.length > 0 && lower(chars[0]) === "d") {
      chars[0] = withCase(chars[0], "đ");
      return compose(chars, tone);
    }
    if (k === "d" && chars.length > 0 && lower(chars[0]) === "đ" && chars.length === 1) {
      chars[0] = withCase(chars[0], "d"); // ddd -> dd
      return compose(chars, tone) + key;
    }
    // a plain letter: append, and move the tone if the nucleus changed (hóa + n -> hoán)
    return compose(chars.concat(Array.from(key)), tone);
  }

  // Type `key` at the end of `text`, with Telex composition when `telex` is on.
  function typeKey(text, key, telex) {
    const [head, word] = lastWord(text);
    if (!/^[a-zA-Z]$/.test(key)) {
      if (/\s/.test(key)) return text + key;
      // a vowel-mark key (â ă ê ô ơ ư đ) or a digit: append, and re-place the word's tone
      const { chars, tone } = splitTone(word);
      return head + compose(chars.concat(Array.from(key)), tone);
    }
    if (!telex) {
      const { chars, tone } = splitTone(word);
      return head + compose(chars.concat([key]), tone);
    }
    return head + telexWord(word, key);
  }

  // A tone key (1 sắc … 5 nặng, 0 none) on the last word; pressing the same tone again removes it.
  // Returns null when the last word has no vowel.
  function applyTone(text, tone) {
    const [head, word] = lastWord(text);
    const { chars, tone: had } = splitTone(word);
    if (!nucleus(chars)) return null;
    return head + compose(chars, had === tone ? 0 : tone);
  }

  // Remove the last character (a composed "ế" goes at once).
  function backspace(text) {
    const cs = Array.from(text.normalize("NFC"));
    cs.pop();
    return cs.join("");
  }

  return { typeKey, applyTone, backspace, telexWord };
})();
window.LetanTelex = LetanTelex;

(function () {
  const $ = (id) => document.getElementById(id);

  // ---------- labels ----------
  const L = {
    vi: {
      doc_title: "Letan – Hỗ trợ công dân",
      lang_other: "English", lang_other_code: "en",
      call_staff: "Gọi cán bộ hỗ trợ",
      staff_coming: "Cán bộ đang đến hỗ trợ", staff_wait: "Xin ông/bà vui lòng chờ tại đây.",
      offline: "Đang kết nối lại với robot…",
      you_asked: "Ông/bà vừa hỏi:",
      welcome_title: "Kính chào ông/bà!",
      welcome_body: "Ông/bà có thể hỏi robot bằng giọng nói, chạm vào một thủ tục, hoặc gõ câu hỏi.",
      documents: "Giấy tờ cần mang", scan: "Quét mã để làm trực tuyến", qr_alt: "Mã QR làm thủ tục trực tuyến",
      repeat: "Nói lại", topics: "Thủ tục thường hỏi", type_question: "Gõ câu hỏi",
      yes: "Đúng", no: "Không phải",
      close_keyboard: "Đóng bàn phím", question_label: "Câu hỏi của ông/bà",
      question_ph: "Chạm vào bàn phím bên dưới", send: "Gửi", keyboard: "Bàn phím tiếng Việt",
      backspace: "Xóa", backspace_aria: "Xóa một chữ", space: "Dấu cách",
      telex_on: "Telex: bật", telex_off: "Telex: tắt", telex_aria: "Gõ kiểu Telex (aa = â, dd = đ, s f r x j = dấu)",
      tones: ["", "sắc", "huyền", "hỏi", "ngã", "nặng"], tone_aria: "Dấu",
      st_idle: "Xin mời ông/bà hỏi", st_greeting: "Robot xin chào ông/bà", st_listening: "Robot đang nghe…",
      st_answering: "Robot đang trả lời", st_guiding: "Robot đang dẫn đường, mời ông/bà đi theo",
      st_handover: "Đang chờ cán bộ hỗ trợ", st_speaking: "Robot đang nói…",
      m_sent: "Đã gửi câu hỏi.", m_empty: "Xin ông/bà gõ câu hỏi trước.",
      m_long: "Câu hỏi dài quá, xin ông/bà viết ngắn hơn.", m_rate: "Xin ông/bà chờ một chút rồi gửi lại.",
      m_fail: "Chưa gửi được. Xin thử lại hoặc gọi cán bộ hỗ trợ.", m_no_vowel: "Hãy gõ chữ trước, rồi chọn dấu.",
    },
    en: {
      doc_title: "Letan – Citizen help",
      lang_other: "Tiếng Việt", lang_other_code: "vi",
      call_staff: "Call a staff member",
      staff_coming: "A staff member is on the way", staff_wait: "Please wait here.",
      offline: "Reconnecting to the robot…",
      you_asked: "You asked:",
      welcome_title: "Welcome!",
      welcome_body: "You can ask the robot by voice, tap a procedure, or type your question.",
      documents: "Documents to bring", scan: "Scan to do it online", qr_alt: "QR code for the online procedure",
      repeat: "Say it again", topics: "Most asked procedures", type_question: "Type a question",
      yes: "Yes", no: "No",
      close_keyboard: "Close keyboard", question_label: "Your question",
      question_ph: "Tap the keyboard below", send: "Send", keyboard: "Keyboard with Vietnamese letters",
      backspace: "Delete", backspace_aria: "Delete one letter", space: "Space",
      telex_on: "Telex: on", telex_off: "Telex: off", telex_aria: "Telex typing (aa = â, dd = đ, s f r x j = tones)",
      tones: ["", "acute", "grave", "hook", "tilde", "dot"], tone_aria: "Tone",
      st_idle: "Please ask me", st_greeting: "Hello!", st_listening: "Listening…",
      st_answering: "Answering", st_guiding: "Guiding you, please follow me",
      st_handover: "Waiting for a staff member", st_speaking: "Speaking…",
      m_sent: "Question sent.", m_empty: "Please type your question first.",
      m_long: "The question is too long, please make it shorter.", m_rate: "Please wait a moment and send again.",
      m_fail: "Could not send. Please try again or call a staff member.", m_no_vowel: "Type a letter first, then the tone.",
    },
  };
  const TONE_SIGNS = ["", "\u25CC\u0301", "\u25CC\u0300", "\u25CC\u0309", "\u25CC\u0303", "\u25CC\u0323"];

  let state = null;          // last ScreenState
  let uiLang = "vi";
  let pendingLang = null;    // {lang, until}: the citizen toggled; wait for the robot to follow
  let telex = true;
  let telexTouched = false;  // the citizen set Telex by hand: keep their choice
  let maxChars = 500;
  const t = (k) => (L[uiLang] && L[uiLang][k]) || L.vi[k] || k;

  // ---------- HTTP ----------
  async function post(path, body) {
    try {
      const r = await fetch(path, {
        method: "POST", headers: { "Content-Type": "application/json" }, cache: "no-store",
        body: JSON.stringify(body),
      });
      let data = null;
      try { data = await r.json(); } catch (_) { data = null; }
      return { status: r.status, data };
    } catch (_) {
      return { status: 0, data: null };
    }
  }

  // ---------- labels and language ----------
  function applyLabels() {
    document.documentElement.lang = uiLang;
    document.title = t("doc_title");
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-ph]").forEach((el) => { el.placeholder = t(el.dataset.i18nPh); });
    document.querySelectorAll("[data-i18n-aria]").forEach((el) => { el.setAttribute("aria-label", t(el.dataset.i18nAria)); });
    const lt = $("lang-toggle-text");
    lt.textContent = t("lang_other");
    lt.lang = t("lang_other_code");
    buildKeyboard();
  }

  function setLang(lang) {
    if (lang !== "vi" && lang !== "en") return;
    if (lang === uiLang) return;
    uiLang = lang;
    if (!telexTouched) telex = lang === "vi";
    applyLabels();
    if (state) render(state);
  }

  $("lang-toggle").addEventListener("click", () => {
    const next = uiLang === "vi" ? "en" : "vi";
    pendingLang = { lang: next, until: Date.now() + 5000 };
    setTimeout(() => { if (state) render(state); }, 5100);
    setLang(next);
    post("/api/language", { lang: next });
  });

  // ---------- rendering the state ----------
  let suggestionsKey = "";
  let qrShown = null;

  function statusKey(s) {
    if (s.robot_speaking) return ["speaking", "st_speaking"];
    const d = s.dialog_state || "idle";
    return [d, "st_" + d];
  }

  function render(s) {
    state = s;
    let lang = s.lang;
    if (pendingLang) {
      if (s.lang === pendingLang.lang || Date.now() > pendingLang.until) pendingLang = null;
      else lang = pendingLang.lang;
    }
    if (lang !== uiLang) { setLang(lang); return; } // setLang renders again

    const [st, key] = statusKey(s);
    $("status").dataset.state = st;
    $("status-text").textContent = L[uiLang][key] ? t(key) : t("st_idle");

    $("staff-banner").hidden = !s.staff_called;
    const staffBtn = $("call-staff");
    if (s.staff_called) staffBtn.removeAttribute("aria-busy");

    const heard = (s.heard || "").trim();
    $("heard").hidden = heard === "";
    $("heard-text").textContent = heard;

    const hasAnswer = (s.title || "").trim() !== "" || (s.body || "").trim() !== "";
    $("title").textContent = hasAnswer ? s.title : t("welcome_title");
    const body = $("body");
    body.replaceChildren();
    const text = hasAnswer ? (s.body || "") : t("welcome_body");
    for (const line of text.split(/\r?\n/)) {
      if (line.trim() === "") continue;
      const p = document.createElement("p");
      p.textContent = line;
      body.appendChild(p);
    }

    const docs = s.documents || [];
    $("docs-box").hidden = docs.length === 0;
    const ul = $("documents");
    ul.replaceChildren();
    for (const d of docs) {
      const li = document.createElement("li");
      li.textContent = d;
      ul.appendChild(li);
    }

    const qr = $("qr");
    if (s.qr_url) {
      if (qrShown !== s.qr_url) {
        qrShown = s.qr_url;
        qr.src = "/api/qr.svg?v=" + s.seq;   // the server renders the current state's URL only
      }
      qr.alt = t("qr_alt") + ": " + s.qr_url;
      $("qr-url").textContent = s.qr_url.replace(/^https?:\/\//, "").replace(/\/$/, "");
      $("qr-box").hidden = false;
    } else {
      qrShown = null;
      qr.removeAttribute("src");
      $("qr-box").hidden = true;
    }
    $("repeat").hidden = !hasAnswer || !!s.confirm;
    // A yes/no question about what was heard: the big buttons answer it.
    $("confirm-box").hidden = !s.confirm;
    if (!s.confirm) {
      $("confirm-yes").removeAttribute("aria-busy");
      $("confirm-no").removeAttribute("aria-busy");
    }

    const sugg = s.suggestions || [];
    const sk = JSON.stringify(sugg);
    if (sk !== suggestionsKey) {
      suggestionsKey = sk;
      const box = $("suggestions");
      box.replaceChildren();
      for (const sg of sugg) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "topic";
        b.dataset.id = sg.id;
        b.textContent = sg.label;
        b.addEventListener("click", () => askTopic(b, sg.id));
        box.appendChild(b);
      }
    } else {
      document.querySelectorAll(".topic[aria-busy]").forEach((b) => b.removeAttribute("aria-busy"));
    }
  }

  async function askTopic(button, id) {
    button.setAttribute("aria-busy", "true");
    const r = await post("/api/topic", { id, lang: uiLang });
    if (r.status !== 200) button.removeAttribute("aria-busy");
  }

  $("repeat").addEventListener("click", () => post("/api/repeat", { lang: uiLang }));

  for (const [id, yes] of [["confirm-yes", true], ["confirm-no", false]]) {
    $(id).addEventListener("click", async () => {
      const b = $(id);
      b.setAttribute("aria-busy", "true");
      const r = await post("/api/confirm", { yes, lang: uiLang });
      if (r.status !== 200) b.removeAttribute("aria-busy");
    });
  }

  $("call-staff").addEventListener("click", async () => {
    const b = $("call-staff");
    b.setAttribute("aria-busy", "true");
    const r = await post("/api/call_staff", { lang: uiLang });
    if (r.status !== 200) b.removeAttribute("aria-busy");
  });

  // ---------- typing ----------
  const input = $("question");
  const msg = (text, kind) => { const m = $("ask-msg"); m.textContent = text || ""; m.className = "msg " + (kind || ""); };

  function openTyping(open) {
    $("typing").hidden = !open;
    $("main").classList.toggle("typing-open", open);
    $("open-keyboard").setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { msg(""); $("typing").scrollIntoView({ block: "start" }); }
    else $("open-keyboard").focus();
  }
  $("open-keyboard").addEventListener("click", () => openTyping(true));
  $("close-keyboard").addEventListener("click", () => openTyping(false));

  function setText(v) {
    input.value = Array.from(v).slice(0, maxChars).join("");
  }

  $("ask-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) { msg(t("m_empty"), "err"); return; }
    $("send").setAttribute("aria-busy", "true");
    const r = await post("/api/ask", { text, lang: uiLang });
    $("send").removeAttribute("aria-busy");
    if (r.status === 200) {
      input.value = "";
      msg(t("m_sent"), "ok");
      openTyping(false);
    } else if (r.status === 413) msg(t("m_long"), "err");
    else if (r.status === 429) msg(t("m_rate"), "err");
    else msg(t("m_fail"), "err");
  });

  // The on-screen keyboard. Keys act on the end of the text; the device's own keyboard edits the
  // field as usual.
  const ROWS = [
    "1234567890".split(""),
    "qwertyuiop".split(""),
    "asdfghjkl".split(""),
    "zxcvbnm".split(""),
  ];
  const MARK_KEYS = ["â", "ă", "ê", "ô", "ơ", "ư", "đ"];

  function key(label, cls, onPress, aria) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "key " + (cls || "");
    if (typeof label === "string") b.textContent = label; else b.append(...label);
    if (aria) b.setAttribute("aria-label", aria);
    // keep the text field's focus (and the device keyboard, if open) while tapping keys
    b.addEventListener("mousedown", (e) => e.preventDefault());
    b.addEventListener("click", () => onPress(b));
    return b;
  }
  function row(keys) {
    const r = document.createElement("div");
    r.className = "osk-row";
    r.append(...keys);
    return r;
  }
  const letter = (c) => {
    const b = key(c, "", () => { setText(LetanTelex.typeKey(input.value, c, telex)); msg(""); });
    b.dataset.key = c;
    return b;
  };

  function buildKeyboard() {
    const osk = $("osk");
    osk.replaceChildren();
    const r0 = ROWS[0].map(letter);
    const r1 = ROWS[1].map(letter);
    const r2 = ROWS[2].map(letter);
    const back = key(t("backspace"), "wide", () => setText(LetanTelex.backspace(input.value)), t("backspace_aria"));
    back.id = "key-backspace";
    const r3 = ROWS[3].map(letter).concat([back]);
    const marks = MARK_KEYS.map((c) => {
      const b = key(c, "mark", () => { setText(LetanTelex.typeKey(input.value, c, telex)); msg(""); });
      b.dataset.key = c;
      return b;
    });
    const tones = [1, 2, 3, 4, 5].map((n) => {
      const sign = document.createElement("span");
      sign.textContent = TONE_SIGNS[n];
      sign.setAttribute("aria-hidden", "true");
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = L[uiLang].tones[n];
      const b = key([sign, name], "tone", () => {
        const v = LetanTelex.applyTone(input.value, n);
        if (v === null) msg(t("m_no_vowel"), "err"); else { setText(v); msg(""); }
      }, t("tone_aria") + " " + L[uiLang].tones[n]);
      b.dataset.tone = String(n);
      return b;
    });
    const tx = key(t(telex ? "telex_on" : "telex_off"), "wide", (b) => {
      telex = !telex;
      telexTouched = true;
      b.setAttribute("aria-pressed", telex ? "true" : "false");
      b.textContent = t(telex ? "telex_on" : "telex_off");
    });
    tx.title = t("telex_aria");
    tx.id = "key-telex";
    tx.setAttribute("aria-pressed", telex ? "true" : "false");
    const space = key(t("space"), "space", () => setText(input.value + " "));
    space.id = "key-space";
    const send = key(t("send"), "send wide", () => $("ask-form").requestSubmit());
    send.id = "key-send";
    osk.append(row(r0), row(r1), row(r2), row(r3), row(marks.concat(tones)), row([tx, space, send]));
  }

  // ---------- live state ----------
  let es = null, retry = 1000, offlineTimer = null;
  function showOffline(on) {
    clearTimeout(offlineTimer);
    if (on) offlineTimer = setTimeout(() => { $("offline").hidden = false; }, 1500);
    else $("offline").hidden = true;
  }
  function connect() {
    if (es) es.close();
    es = new EventSource("/api/events");
    es.addEventListener("state", (ev) => {
      retry = 1000;
      showOffline(false);
      try { render(JSON.parse(ev.data)); } catch (_) { /* ignore a bad frame */ }
    });
    es.onerror = () => {
      showOffline(true);
      if (es.readyState === EventSource.CLOSED) {   // the browser gave up: reconnect ourselves
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 10000);
      }
    };
  }

  async function start() {
    applyLabels();
    try {
      const c = await (await fetch("/api/config", { cache: "no-store" })).json();
      if (c && c.max_text_chars > 0) { maxChars = c.max_text_chars; input.maxLength = maxChars; }
    } catch (_) { /* keep the default */ }
    try {
      const s = await (await fetch("/api/state", { cache: "no-store" })).json();
      render(s);
    } catch (_) { showOffline(true); }
    connect();
  }
  start();
})();

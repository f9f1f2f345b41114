// wardflow review page: plain JavaScript over the JSON API. Every value from the
// server is written with textContent, never parsed as HTML.
"use strict";

const TOKEN_KEY = "wardflow.token";
const state = { me: null, cases: [], current: null, pagesLoaded: false };
const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child);
  return node;
}

// API ---------------------------------------------------------------------------------
class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
    this.status = status;
  }
}

async function request(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && path !== "/api/login") {
    const { detail } = await response.json();
    logout(detail);
    throw new ApiError(401, detail);
  }
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail; } catch (_) { /* not JSON */ }
    throw new ApiError(response.status, detail);
  }
  return response;
}

const api = async (path, options) => (await request(path, options)).json();

// Login -------------------------------------------------------------------------------
async function login(event) {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    const answer = await api("/api/login", {
      method: "POST",
      body: { principal: $("login-name").value.trim(), password: $("login-password").value },
    });
    sessionStorage.setItem(TOKEN_KEY, answer.token);
    $("login-password").value = "";
    await start();
  } catch (err) {
    $("login-error").textContent = err.message;
    $("login-password").value = "";
    $("login-password").focus();
  }
}

function logout(reason = "") {
  sessionStorage.removeItem(TOKEN_KEY);
  state.me = null;
  state.current = null;
  $("who").hidden = true;
  $("app-view").hidden = true;
  $("login-view").hidden = false;
  $("login-error").textContent = reason;
  $("login-name").focus();
}

async function start() {
  if (!sessionStorage.getItem(TOKEN_KEY)) return logout();
  state.me = await api("/api/me");
  $("who-name").textContent = state.me.name;
  $("who-role").textContent = state.me.role;
  $("who").hidden = false;
  $("login-view").hidden = true;
  $("app-view").hidden = false;
  await loadInbox();
}

// Inbox -------------------------------------------------------------------------------
function riskClass(score) {
  return score >= 0.7 ? "high" : score >= 0.4 ? "mid" : "low";
}

async function loadInbox() {
  state.cases = (await api("/api/inbox")).cases;
  const list = $("inbox");
  list.replaceChildren();
  for (const c of state.cases) {
    const item = el("li", { class: "case-item", dataset: { thread: c.thread_id }, tabIndex: 0 },
      el("div", { class: "top" },
        el("span", { textContent: c.vendor || c.document }),
        el("span", { class: `risk ${riskClass(c.risk)}`, textContent: c.risk.toFixed(2) })),
      el("div", { class: "meta" },
        el("span", { textContent: c.invoice_number || c.thread_id }),
        el("span", { textContent: c.total ? `${c.currency || ""} ${c.total}` : "?" })),
      el("div", { class: "meta" },
        el("span", { textContent: `needs ${c.required_role}` }),
        el("span", { textContent: `due ${c.deadline.slice(0, 10)}` })),
      el("div", { class: "codes", textContent: c.reasons.join(" · ") }));
    item.classList.toggle("active", state.current?.thread_id === c.thread_id);
    item.addEventListener("click", () => openCase(c.thread_id));
    item.addEventListener("keydown", (e) => { if (e.key === "Enter") openCase(c.thread_id); });
    list.append(item);
  }
  $("inbox-count").textContent = `(${state.cases.length})`;
  $("inbox-empty").hidden = state.cases.length > 0;
}

// Case --------------------------------------------------------------------------------
async function openCase(thread, { keepChat = false } = {}) {
  const detail = await api(`/api/cases/${encodeURIComponent(thread)}`);
  state.current = detail;
  state.pagesLoaded = false;
  for (const item of document.querySelectorAll(".case-item")) {
    item.classList.toggle("active", item.dataset.thread === thread);
  }
  renderCase(detail);
  setChatEnabled(detail.request !== null);
  if (keepChat) return;
  $("chat-log").replaceChildren(el("p", { class: "muted",
    textContent: `Case ${thread}. Ask why it was flagged, for the line items, or compare.` }));
}

function closeCase(notice) {
  state.current = null;
  $("chat-log").replaceChildren(el("p", { class: "muted", textContent: "Open a case, then ask about it." }));
  $("case-body").hidden = true;
  $("case-empty").hidden = false;
  $("notice").textContent = notice;
  setChatEnabled(false);
}

function renderCase(detail) {
  const req = detail.request;
  const value = (name) => req?.fields[name]?.value ?? "";
  $("case-empty").hidden = true;
  $("case-body").hidden = false;
  $("decision-result").textContent = "";
  $("decision-result").className = "result";
  $("case-title").textContent = `${value("vendor") || detail.document.name}`;
  $("case-sub").textContent = req
    ? `Invoice ${value("invoice_number")} of ${value("invoice_date")} · ${value("currency")} ${value("total")} · ${detail.document.name}`
    : `${detail.document.name} · ${detail.summary.status}`;
  $("case-risk").textContent = `risk ${(detail.summary.risk ?? 0).toFixed(2)}`;
  $("case-confidence").textContent = `confidence ${(detail.summary.confidence ?? 0).toFixed(2)}`;
  $("case-role").textContent = req ? `needs ${req.required_role}` : detail.summary.status;
  $("case-reasons").replaceChildren(...(req?.reasons ?? []).map((r) =>
    el("li", {}, el("b", { textContent: r.code }), ` ${r.detail}`)));
  $("proposal").textContent = proposalText(req);
  $("case-refused").hidden = !req?.refused;
  $("case-refused").textContent = req?.refused ? `Last decision refused: ${req.refused}` : "";
  renderText(detail.text, detail.highlights);
  renderFields(req ? req.fields : {}, detail.highlights);
  renderLines(detail.line_items);
  showTab("text");
  for (const id of ["approve", "reject", "comment"]) $(id).disabled = !req;
}

function proposalText(req) {
  // What "Approve" approves: this proposal and its hash, nothing the case changes into.
  const action = req?.proposed_action;
  if (!action) return "";
  if (!action.args || !action.args_hash) return `Proposal incomplete: missing ${action.missing.join(", ")}.`;
  const a = action.args;
  return `Approve posts proposal ${action.args_hash.slice(0, 12)}: ${a.currency} ${a.total} to`
    + ` ${req.fields.vendor?.value ?? a.vendor_id} (${a.vendor_id}), IBAN ${a.iban ?? "none"}.`;
}

function renderText(text, highlights) {
  const nodes = [];
  let at = 0;
  for (const span of highlights) {
    nodes.push(text.slice(at, span.start));
    nodes.push(el("mark", { textContent: text.slice(span.start, span.end),
      title: span.fields.join(", "), dataset: { fields: span.fields.join(" ") } }));
    at = span.end;
  }
  nodes.push(text.slice(at));
  $("doc-text").replaceChildren(...nodes);
}

function renderFields(fields, highlights) {
  const withEvidence = new Set(highlights.flatMap((h) => h.fields));
  const rows = Object.entries(fields).filter(([, f]) => f.value !== null).map(([name, f]) => {
    const conf = Number(f.confidence ?? 0);
    const row = el("tr", { dataset: { field: name } },
      el("td", { textContent: name }),
      el("td", { textContent: String(f.value) }),
      el("td", { class: `num ${conf < 0.9 ? "conf-low" : ""}`, textContent: conf.toFixed(2) }));
    if (withEvidence.has(name)) {
      row.classList.add("has-evidence");
      row.title = `read from "${f.evidence.text}" (${f.evidence.label || "page " + f.evidence.page})`;
      row.addEventListener("mouseenter", () => focusEvidence(name, false));
      row.addEventListener("click", () => focusEvidence(name, true));
    }
    return row;
  });
  $("fields").replaceChildren(...rows);
}

function focusEvidence(name, scroll) {
  showTab("text");
  for (const row of document.querySelectorAll("#fields tr")) {
    row.classList.toggle("on", row.dataset.field === name);
  }
  let first = null;
  for (const mark of document.querySelectorAll("#doc-text mark")) {
    const on = mark.dataset.fields.split(" ").includes(name);
    mark.classList.toggle("on", on);
    if (on && !first) first = mark;
  }
  if (first && scroll) {
    // Scroll the text box only, not the page around it.
    const box = $("doc-text");
    box.scrollTo({ top: first.offsetTop - box.clientHeight / 2, behavior: "smooth" });
  }
}

function renderLines(items) {
  $("lines").replaceChildren(...items.map((i) => el("tr", {},
    el("td", { textContent: i.description }), el("td", { class: "num", textContent: i.quantity }),
    el("td", { class: "num", textContent: i.unit_price }),
    el("td", { class: "num", textContent: i.amount }))));
  $("lines-head").textContent = `Line items (${items.length})`;
}

async function showTab(which) {
  $("tab-text").classList.toggle("active", which === "text");
  $("tab-original").classList.toggle("active", which === "original");
  $("doc-text").hidden = which !== "text";
  $("doc-original").hidden = which !== "original";
  if (which !== "original" || state.pagesLoaded || !state.current) return;
  state.pagesLoaded = true;
  const { thread_id: thread, document: doc } = state.current;
  const box = $("doc-original");
  box.replaceChildren();
  if (doc.withheld) return box.append(el("p", { textContent: `Not shown: ${doc.withheld}.` }));
  if (!doc.available) return box.append(el("p", { textContent: "The original is no longer in storage." }));
  for (let page = 1; page <= doc.pages; page++) {
    try {
      const blob = await (await request(`/api/cases/${encodeURIComponent(thread)}/pages/${page}`)).blob();
      box.append(el("img", { src: URL.createObjectURL(blob), alt: `page ${page}` }));
    } catch (err) {
      box.append(el("p", { class: "error", textContent: `page ${page}: ${err.message}` }));
    }
  }
}

// Decisions ---------------------------------------------------------------------------
async function decide(decision) {
  const req = state.current?.request;
  if (!req) return;
  const result = $("decision-result");
  for (const id of ["approve", "reject"]) $(id).disabled = true;
  try {
    const summary = await api(`/api/cases/${encodeURIComponent(req.thread_id)}/decision`, {
      method: "POST",
      body: { decision, comment: $("comment").value,
        args_hash: decision === "approve" ? req.proposed_action.args_hash : null },
    });
    $("comment").value = "";
    const posted = summary.posting_id ? ` (${summary.posting_id})` : "";
    const message = `${decision}: ${req.thread_id} is now ${summary.status}${posted}`;
    if (summary.waiting_for_review) {
      await openCase(req.thread_id);
      result.textContent = message;
      result.className = "result ok";
    } else {
      closeCase(message);
    }
    await loadInbox();
  } catch (err) {
    result.textContent = `Refused: ${err.message}`;
    result.className = "result refused";
    for (const id of ["approve", "reject"]) $(id).disabled = false;
  }
}

// Chat --------------------------------------------------------------------------------
function setChatEnabled(on) {
  $("chat-input").disabled = !on;
  $("chat-send").disabled = !on;
  for (const chip of document.querySelectorAll(".chip")) chip.disabled = !on;
}

function parseEvents(buffer, onEvent) {
  // Server-sent events: blocks separated by a blank line, "event:" and "data:" fields.
  const blocks = buffer.split("\n\n");
  const rest = blocks.pop();
  for (const block of blocks) {
    let type = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) type = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    }
    onEvent(type, JSON.parse(data.join("\n") || "{}"));
  }
  return rest;
}

function chatColumns(log) {
  // How many monospace characters fit in a chat answer, so tables are laid out to fit.
  const probe = el("span", { class: "chat-msg bot", textContent: "0".repeat(50) });
  probe.style.position = "absolute";
  probe.style.visibility = "hidden";
  probe.style.padding = "0";
  log.append(probe);
  const charWidth = probe.getBoundingClientRect().width / 50;
  probe.remove();
  // Less the paddings, and room for a scrollbar.
  const columns = Math.floor((log.clientWidth - 24 - 20 - 16) / charWidth);
  return Math.max(30, Math.min(240, columns || 100));
}

async function ask(message) {
  const thread = state.current?.thread_id;
  if (!thread || !message.trim()) return;
  const log = $("chat-log");
  log.append(el("div", { class: "chat-msg me", textContent: message }));
  const bot = el("div", { class: "chat-msg bot streaming" });
  log.append(bot);
  log.scrollTop = log.scrollHeight;
  setChatEnabled(false);
  try {
    const response = await request(`/api/cases/${encodeURIComponent(thread)}/chat/stream`,
      // "approve" in the chat approves the proposal this page shows, nothing newer.
      { method: "POST", body: { message, width: chatColumns(log),
        args_hash: state.current?.request?.proposed_action?.args_hash ?? null } });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer = parseEvents(buffer + value, (type, data) => {
        if (type === "chunk") bot.textContent += data.text;
        log.scrollTop = log.scrollHeight;
      });
    }
  } catch (err) {
    bot.textContent = err.message;
    bot.classList.add("failed");
  }
  bot.classList.remove("streaming");
  bot.dataset.done = "true";
  // A chat line may have decided the case ("approve", "reject", "set ...").
  if (/^(approve|reject|set)\b/i.test(message.trim())) {
    await loadInbox();
    if (state.cases.some((c) => c.thread_id === thread)) await openCase(thread, { keepChat: true });
    else closeCase(bot.textContent.trim().split("\n")[0]);
  } else {
    setChatEnabled(true);
    $("chat-input").focus();
  }
}

// Wiring ------------------------------------------------------------------------------
document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", login);
  $("logout").addEventListener("click", () => logout());
  $("refresh").addEventListener("click", () => loadInbox());
  $("approve").addEventListener("click", () => decide("approve"));
  $("reject").addEventListener("click", () => decide("reject"));
  $("tab-text").addEventListener("click", () => showTab("text"));
  $("tab-original").addEventListener("click", () => showTab("original"));
  $("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const message = $("chat-input").value;
    $("chat-input").value = "";
    ask(message);
  });
  for (const chip of document.querySelectorAll(".chip")) {
    chip.addEventListener("click", () => ask(chip.textContent));
  }
  start().catch((err) => logout(err.message));
});

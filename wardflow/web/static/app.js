// wardflow review page: plain JavaScript over the JSON API. Every value from the
// server is written with textContent, never parsed as HTML.
"use strict";

const TOKEN_KEY = "wardflow.token";
const state = { me: null, cases: [], current: null, pagesLoaded: false, zoom: 0, pending: null };
// Zoom levels of the original's page images (share of the panel's width).
const ZOOMS = [1, 1.5, 2, 3];
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
        statusBadge(c.status)),
      el("div", { class: "meta" },
        el("span", { textContent: c.status.reasons.join("; "), class: "status-text" }),
        el("span", { class: `risk ${riskClass(c.risk)}`, textContent: `risk ${c.risk.toFixed(2)}` })),
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

function statusBadge(status) {
  // One colour for what the case needs (computed server-side: wardflow/review/status.py).
  return el("span", { class: `case-level ${status.level}`, textContent: status.level,
    title: status.reasons.join("\n") || "nothing found", dataset: { level: status.level } });
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
  $("case-status").replaceChildren(statusBadge(detail.status));
  $("case-status-why").textContent = detail.status.reasons.length
    ? `${detail.status.level}: ${detail.status.reasons.join("; ")}` : "";
  $("case-status-why").className = `status-why ${detail.status.level}`;
  $("case-risk").textContent = `risk ${(detail.summary.risk ?? 0).toFixed(2)}`;
  $("case-confidence").textContent = `confidence ${(detail.summary.confidence ?? 0).toFixed(2)}`;
  $("case-role").textContent = req ? `needs ${req.required_role}` : detail.summary.status;
  $("case-reasons").replaceChildren(...(req?.reasons ?? []).map((r) => {
    const item = el("li", {}, el("b", { textContent: r.code }), ` ${r.detail}`);
    for (const p of detail.passages.filter((x) => x.code === r.code)) {
      item.classList.add("guard");
      item.append(" ", el("button", { type: "button", class: "link passage-link",
        textContent: `show passage ${p.number}`, dataset: { passage: p.number },
        onclick: () => focusPassage(p.number) }));
    }
    return item;
  }));
  $("proposal").textContent = proposalText(req);
  $("case-refused").hidden = !req?.refused;
  $("case-refused").textContent = req?.refused ? `Last decision refused: ${req.refused}` : "";
  renderText(detail.text, detail.highlights, detail.passages);
  renderFields(req ? req.fields : {}, detail.highlights);
  renderLines(detail.line_items);
  showTab("text");
  for (const id of ["approve", "reject", "edit", "comment"]) $(id).disabled = !req;
  $("comment").placeholder = detail.comment_required.length
    ? `Comment required (${detail.comment_required.join(", ")}): why you decide this way`
    : "Comment (why you decide this way)";
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

function renderText(text, highlights, passages) {
  // Field evidence and flagged passages, cut into segments that each know what covers them.
  const cuts = new Set([0, text.length]);
  for (const span of [...highlights, ...passages]) { cuts.add(span.start); cuts.add(span.end); }
  const bounds = [...cuts].filter((b) => b >= 0 && b <= text.length).sort((a, b) => a - b);
  const nodes = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [a, b] = [bounds[i], bounds[i + 1]];
    const piece = text.slice(a, b);
    const fields = highlights.filter((h) => h.start <= a && b <= h.end).flatMap((h) => h.fields);
    const flagged = passages.filter((p) => p.start <= a && b <= p.end).map((p) => p.number);
    if (!fields.length && !flagged.length) { nodes.push(piece); continue; }
    const mark = el("mark", { textContent: piece, title: fields.join(", "),
      dataset: { fields: fields.join(" ") } });
    if (flagged.length) {
      mark.classList.add("passage");
      mark.dataset.passage = flagged.join(" ");
      mark.title = `flagged passage ${flagged.join(", ")} (the guard's finding)`;
    }
    nodes.push(mark);
  }
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
  for (const box of document.querySelectorAll("#doc-original .box.field")) {
    box.classList.toggle("on", box.dataset.key === `field:${name}`);
  }
  if (!$("doc-original").hidden) {
    const box = document.querySelector(`#doc-original .box.on`);
    if (box && scroll) box.scrollIntoView({ block: "center", inline: "center" });
    for (const row of document.querySelectorAll("#fields tr")) {
      row.classList.toggle("on", row.dataset.field === name);
    }
    return;
  }
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

function focusPassage(number) {
  // The flagged passage, in whichever view is open: the text, or the box on the page.
  let first = null;
  for (const mark of document.querySelectorAll("#doc-text mark.passage")) {
    const on = mark.dataset.passage.split(" ").includes(String(number));
    mark.classList.toggle("on", on);
    if (on && !first) first = mark;
  }
  if (!$("doc-original").hidden) {
    const box = document.querySelector(`#doc-original .box[data-key="passage:${number}"]`);
    if (box) { box.classList.add("on"); box.scrollIntoView({ block: "center", inline: "center" }); }
    return;
  }
  if (first) {
    const text = $("doc-text");
    text.scrollTo({ top: first.offsetTop - text.clientHeight / 2, behavior: "smooth" });
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
  $("zoom-bar").hidden = which !== "original";
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
      const sheet = el("div", { class: "page", dataset: { page } },
        el("img", { src: URL.createObjectURL(blob), alt: `page ${page}` }));
      sheet.addEventListener("click", (e) => { if (e.target.tagName === "IMG") zoom(1); });
      for (const [key, boxes] of Object.entries(state.current.boxes || {})) {
        for (const b of boxes.filter((x) => x.page === page)) sheet.append(pageBox(key, b));
      }
      box.append(sheet);
    } catch (err) {
      box.append(el("p", { class: "error", textContent: `page ${page}: ${err.message}` }));
    }
  }
}

function pageBox(key, b) {
  // Fractions of the page, so a box stays on its words at every zoom level. Hidden text
  // can be a hair high: at least a line's height, so it can be seen and clicked.
  const height = Math.max(b.h, 0.012);
  const kind = key.startsWith("passage:") ? "passage" : "field";
  const node = el("div", { class: `box ${kind}`, dataset: { key },
    title: kind === "passage" ? `flagged ${key.replace(":", " ")}` : key.slice(6) });
  Object.assign(node.style, { left: `${b.x * 100}%`, top: `${(b.y - (height - b.h) / 2) * 100}%`,
    width: `${Math.max(b.w, 0.004) * 100}%`, height: `${height * 100}%` });
  return node;
}

function zoom(step) {
  // Zoom in (step 1) or out (-1); a click on the page zooms in, then back to the start.
  state.zoom = step > 0 && state.zoom === ZOOMS.length - 1 ? 0
    : Math.max(0, Math.min(ZOOMS.length - 1, state.zoom + step));
  const level = ZOOMS[state.zoom];
  $("doc-original").style.setProperty("--zoom", String(level));
  $("doc-original").dataset.zoom = String(level);
  $("zoom-level").textContent = `${Math.round(level * 100)}%`;
  $("zoom-out").disabled = state.zoom === 0;
  $("zoom-in").disabled = state.zoom === ZOOMS.length - 1;
}

// Decisions ---------------------------------------------------------------------------
const DIALOG = {
  approve: { title: "Approve and post this invoice?", ok: "Approve and post",
    lead: "Approving posts exactly this to the ERP, once:" },
  reject: { title: "Reject this invoice?", ok: "Reject",
    lead: "Rejecting posts nothing; the document is archived as rejected." },
  correct: { title: "Correct a field?", ok: "Save the correction",
    lead: "A correction changes the proposal; another reviewer then approves it." },
};

function spacedIban(iban) {
  return /^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban) ? iban.replace(/(.{4})(?=.)/g, "$1 ") : iban;
}

function openConfirm(decision, { comment = null, corrections = {} } = {}) {
  // Nothing is posted until the reviewer confirms what the dialog shows.
  const detail = state.current;
  const req = detail?.request;
  if (!req) return;
  const action = req.proposed_action;
  const args = action.args || {};
  state.pending = { decision, thread: req.thread_id, args_hash: action.args_hash };
  $("confirm-title").textContent = DIALOG[decision].title;
  $("confirm-lead").textContent = DIALOG[decision].lead;
  const rows = [
    ["Vendor", `${req.fields.vendor?.value ?? "?"} (${args.vendor_id ?? req.fields.vendor_id?.value ?? "not in the vendor master"})`],
    ["Amount", `${args.currency ?? req.fields.currency?.value ?? ""} ${args.total ?? req.fields.total?.value ?? "?"}`],
    ["IBAN", spacedIban(String(args.iban ?? req.fields.iban?.value ?? "none"))],
    ["Invoice", `${args.invoice_number ?? req.fields.invoice_number?.value ?? "?"} of ${args.invoice_date ?? req.fields.invoice_date?.value ?? "?"}`],
    ["Proposal hash", action.args_hash ?? `none: incomplete (missing ${action.missing.join(", ")})`],
    ["Status", `${detail.status.level}${detail.status.reasons.length ? ": " + detail.status.reasons.join("; ") : ""}`],
  ];
  $("confirm-what").replaceChildren(...rows.flatMap(([name, value]) => [
    el("dt", { textContent: name }),
    el("dd", { textContent: value, dataset: { what: name.toLowerCase().replace(" ", "-") } })]));
  $("confirm-what").dataset.level = detail.status.level;
  $("confirm-edit").hidden = decision !== "correct";
  if (decision === "correct") {
    const [field, value] = Object.entries(corrections)[0] ?? ["", ""];
    $("edit-field").replaceChildren(...Object.keys(req.fields).map((name) =>
      el("option", { value: name, textContent: name, selected: name === field })));
    $("edit-value").value = value;
  }
  const needed = decision !== "correct" && detail.comment_required.length > 0;
  $("comment-need").textContent = needed
    ? `(required: ${detail.comment_required.join(", ")})` : "(optional)";
  $("confirm-comment").required = needed;
  $("confirm-comment").value = comment ?? $("comment").value;
  $("confirm-error").textContent = "";
  $("confirm-ok").textContent = DIALOG[decision].ok;
  $("confirm-ok").className = decision === "reject" ? "danger" : "primary";
  $("confirm-ok").disabled = false;
  $("confirm").showModal();
  (needed && !$("confirm-comment").value ? $("confirm-comment") : $("confirm-ok")).focus();
}

function cancelConfirm() {
  if (state.pending?.fromChat) chatNote("Cancelled; nothing was decided.");
  state.pending = null;
  $("confirm").close();
}

async function confirmDecision(event) {
  event.preventDefault();
  const pending = state.pending;
  if (!pending) return;
  const comment = $("confirm-comment").value.trim();
  if ($("confirm-comment").required && !comment) {
    $("confirm-error").textContent = "A comment is required for this case: say why you decide so.";
    $("confirm-comment").focus();
    return;
  }
  const body = { decision: pending.decision, comment,
    args_hash: pending.decision === "approve" ? pending.args_hash : null };
  if (pending.decision === "correct") body.corrections = { [$("edit-field").value]: $("edit-value").value };
  $("confirm-ok").disabled = true;
  const result = $("decision-result");
  try {
    const summary = await api(`/api/cases/${encodeURIComponent(pending.thread)}/decision`,
      { method: "POST", body });
    state.pending = null;
    $("confirm").close();
    $("comment").value = "";
    const posted = summary.posting_id ? ` (${summary.posting_id})` : "";
    const message = `${pending.decision}: ${pending.thread} is now ${summary.status}${posted}`;
    if (pending.fromChat) chatNote(message);
    if (summary.waiting_for_review) {
      await openCase(pending.thread, { keepChat: true });
      result.textContent = message;
      result.className = "result ok";
    } else {
      closeCase(message);
    }
    await loadInbox();
  } catch (err) {
    // Refused (the rules, a stale proposal, a missing comment): the dialog stays open.
    $("confirm-error").textContent = `Refused: ${err.message}`;
    $("confirm-ok").disabled = false;
    result.textContent = `Refused: ${err.message}`;
    result.className = "result refused";
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

function chatNote(text) {
  const log = $("chat-log");
  log.append(el("div", { class: "chat-msg bot", textContent: text, dataset: { done: "true" } }));
  log.scrollTop = log.scrollHeight;
}

function decisionInChat(message) {
  // "approve [comment]", "reject because ...", "set FIELD VALUE": the same dialog as the
  // buttons, so a chat line never posts without a confirmation.
  const text = message.trim();
  let match = text.match(/^approve\b\s*(.*)$/is);
  if (match) return ["approve", { comment: match[1] }];
  match = text.match(/^reject\b\s*(?:because\s+)?(.*)$/is);
  if (match) return ["reject", { comment: match[1] }];
  match = text.match(/^set\s+(\S+)\s+(.+)$/is);
  if (match) return ["correct", { corrections: { [match[1]]: match[2] } }];
  return null;
}

async function ask(message) {
  const thread = state.current?.thread_id;
  if (!thread || !message.trim()) return;
  const log = $("chat-log");
  log.append(el("div", { class: "chat-msg me", textContent: message }));
  const decision = state.current?.request ? decisionInChat(message) : null;
  if (decision) {
    chatNote("Confirm in the dialog what will be posted; cancelling decides nothing.");
    openConfirm(...decision);
    state.pending.fromChat = true;
    return;
  }
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
  setChatEnabled(true);
  $("chat-input").focus();
}

// Wiring ------------------------------------------------------------------------------
document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", login);
  $("logout").addEventListener("click", () => logout());
  $("refresh").addEventListener("click", () => loadInbox());
  $("approve").addEventListener("click", () => openConfirm("approve"));
  $("reject").addEventListener("click", () => openConfirm("reject"));
  $("edit").addEventListener("click", () => openConfirm("correct"));
  $("confirm-form").addEventListener("submit", confirmDecision);
  $("confirm-cancel").addEventListener("click", cancelConfirm);
  $("confirm").addEventListener("cancel", (event) => { event.preventDefault(); cancelConfirm(); });
  $("confirm-comment").addEventListener("input", () => { $("confirm-error").textContent = ""; });
  $("zoom-in").addEventListener("click", () => zoom(1));
  $("zoom-out").addEventListener("click", () => zoom(-1));
  $("show-boxes").addEventListener("change", (event) =>
    $("doc-original").classList.toggle("all-boxes", event.target.checked));
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
  zoom(0);
  start().catch((err) => logout(err.message));
});

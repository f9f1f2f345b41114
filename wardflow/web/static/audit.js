// wardflow audit pages: the dashboard (runs, decisions, reviewers) and a run's path.
// Plain JavaScript over /api/audit; every value from the server is written with
// textContent, except the run diagram, an SVG that wardflow draws and escapes itself,
// parsed as SVG (scripts in it would never run) and then inserted.
"use strict";

const PAGE = document.body.dataset.page;

// el, api, login and logout come from client.js.

async function start() {
  if (!sessionStorage.getItem(TOKEN_KEY)) return logout();
  const me = await api("/api/me");
  $("who-name").textContent = me.name;
  $("who-role").textContent = me.role;
  $("who").hidden = false;
  $("login-view").hidden = true;
  $("app-view").hidden = false;
  $("audit-error").textContent = "";
  try {
    await (PAGE === "run" ? loadRun() : loadDashboard());
  } catch (err) {
    if (err.status !== 401) $("audit-error").textContent = err.message;
  }
}

// Formatting --------------------------------------------------------------------------
const fixed = (value, digits = 2) => (value === null || value === undefined ? "" : Number(value).toFixed(digits));
const when = (ts) => (ts ? String(ts).replace("T", " ").replace(/(\.\d+)?(\+00:00|Z)$/, "") : "");
const runLink = (thread) => el("a", { href: `/audit/runs/${encodeURIComponent(thread)}`, class: "run-link" }, thread);

// The confidence classes are the diagram's (wfHigh/wfMid/wfLow), at the same thresholds.
function confidenceClass(value, thresholds) {
  if (value === null || value === undefined) return "";
  return value >= thresholds.high ? "wfHigh" : value >= thresholds.low ? "wfMid" : "wfLow";
}

// Colour an element like a diagram class, from the class's Mermaid style.
function paint(node, style) {
  for (const declaration of (style || "").split(",")) {
    const [key, value] = declaration.split(":").map((s) => s && s.trim());
    if (key === "fill") node.style.backgroundColor = value;
    else if (key === "stroke") node.style.borderColor = value;
    else if (key === "color") node.style.color = value;
  }
}

function confidenceCell(value, thresholds, styles) {
  const name = confidenceClass(value, thresholds);
  const chip = el("span", { class: `conf ${name}` }, fixed(value));
  if (name && styles) paint(chip, styles[name]);
  return el("td", { class: "num" }, value === null || value === undefined ? "" : chip);
}

// Dashboard ---------------------------------------------------------------------------
const FILTERS = ["status", "route", "reviewer", "vendor", "since", "until", "min_confidence", "max_confidence"];

function filterQuery() {
  const query = new URLSearchParams();
  for (const [name, value] of new FormData($("filters"))) {
    if (String(value).trim() !== "") query.set(name, String(value).trim());
  }
  return query;
}

function fillOptions(select, values) {
  const chosen = select.value || new URLSearchParams(location.search).get(select.name) || "";
  select.replaceChildren(el("option", { value: "" }, "any"),
    ...values.map((v) => el("option", { value: v }, v)));
  select.value = values.includes(chosen) ? chosen : "";
}

async function loadDashboard() {
  const query = filterQuery();
  const data = await api(`/api/audit/runs?${query}`);
  fillOptions($("f-status"), data.statuses);
  fillOptions($("f-route"), data.routes);
  fillOptions($("f-reviewer"), data.reviewer_names);
  $("runs-count").textContent = `${data.runs.length} of ${data.total}`;
  $("status-counts").textContent = Object.entries(data.counts).map(([s, n]) => `${s} ${n}`).join(" · ");
  $("runs").replaceChildren(...data.runs.map((run) => el("tr", { dataset: { thread: run.thread_id }, class: "run-row" },
    el("td", { class: "mono" }, runLink(run.thread_id)),
    el("td", { class: "wrap", title: run.document || "" }, run.document || ""),
    el("td", {}, run.vendor || ""),
    el("td", { class: "num" }, run.total ? `${run.total} ${run.currency || ""}` : ""),
    el("td", {}, el("span", { class: `status s-${run.status.replace(/\W+/g, "_")}` }, run.status)),
    el("td", {}, run.route || ""),
    confidenceCell(run.confidence, data.thresholds, data.classes),
    el("td", { class: "num" }, fixed(run.risk)),
    el("td", {}, run.decided_by || ""),
    el("td", { class: "mono" }, when(run.decided_at)))));
  $("runs-empty").hidden = data.runs.length > 0;
  $("decisions-count").textContent = String(data.decisions.length);
  $("decisions").replaceChildren(...data.decisions.map((d) => el("tr", { class: `decision d-${d.decision}` },
    el("td", { class: "mono" }, when(d.at)),
    el("td", { class: "mono" }, runLink(d.thread_id)),
    el("td", {}, d.by || ""),
    el("td", {}, d.decision || ""),
    el("td", { class: "wrap" }, d.reason || d.comment || ""))));
  $("reviewers").replaceChildren(...data.reviewers.map((r) => el("tr", { dataset: { reviewer: r.name } },
    el("td", {}, r.name),
    ...["approved", "rejected", "corrected", "refused", "runs"].map((k) => el("td", { class: "num" }, String(r[k]))))));
}

function applyFilters(event) {
  event?.preventDefault();
  const query = filterQuery();
  history.replaceState(null, "", query.toString() ? `/audit?${query}` : "/audit");
  loadDashboard().catch((err) => { $("audit-error").textContent = err.message; });
}

function restoreFilters() {
  const query = new URLSearchParams(location.search);
  for (const name of FILTERS) {
    const field = $("filters").elements.namedItem(name);
    if (field && query.has(name)) {
      if (field.tagName === "SELECT") field.append(el("option", { value: query.get(name) }, query.get(name)));
      field.value = query.get(name);
    }
  }
}

// Run page ----------------------------------------------------------------------------
let mermaidSource = "";
const thread = () => decodeURIComponent(location.pathname.replace(/^\/audit\/runs\//, ""));

function showSvg(svgText) {
  const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
  const root = doc.documentElement;
  if (root.nodeName !== "svg" || doc.getElementsByTagName("parsererror").length) {
    throw new Error("the diagram could not be read");
  }
  $("diagram").replaceChildren(document.importNode(root, true));
}

async function loadRun() {
  const data = await api(`/api/audit/runs/${encodeURIComponent(thread())}`);
  const run = data.run;
  document.title = `wardflow run ${run.thread_id}`;
  $("run-title").textContent = [run.vendor, run.invoice_number].filter(Boolean).join(" · ") || run.document;
  $("run-sub").textContent = [run.thread_id, run.document, run.total ? `${run.total} ${run.currency || ""}` : "",
    run.decided_by ? `decided by ${run.decided_by} ${when(run.decided_at)}` : ""].filter(Boolean).join(" — ");
  $("run-confidence").textContent = run.confidence === null ? "confidence –" : `confidence ${fixed(run.confidence)}`;
  paint($("run-confidence"), data.diagram.classes[confidenceClass(run.confidence, data.thresholds)]);
  $("run-risk").textContent = run.risk === null ? "risk –" : `risk ${fixed(run.risk)}`;
  $("run-status").textContent = run.status;
  $("t-high").textContent = fixed(data.thresholds.high);
  $("t-low").textContent = fixed(data.thresholds.low);
  for (const key of document.querySelectorAll(".legend .key")) {
    paint(key, data.diagram.classes[[...key.classList].find((c) => c.startsWith("wf"))]);
  }
  showSvg(data.diagram.svg);
  mermaidSource = data.diagram.mermaid;
  $("mermaid-source").textContent = mermaidSource;
  $("steps").replaceChildren(...data.steps.map((step, i) => el("tr", { dataset: { node: step.node }, class: `step st-${step.status}` },
    el("td", { class: "num" }, String(i + 1)),
    el("td", { class: "mono" }, step.node),
    el("td", { class: "mono" }, step.started ? new Date(step.started).toISOString().slice(11, 23) : ""),
    el("td", { class: "num" }, fixed(step.ms)),
    confidenceCell(step.confidence, data.thresholds, data.diagram.classes),
    el("td", { class: "num" }, fixed(step.risk)),
    el("td", {}, el("span", { class: `status s-${step.status}` }, step.status)),
    el("td", { class: "wrap" }, step.decision || ""),
    el("td", { class: "tools" }, ...step.tools.map((t) => el("div", {}, `${t.tool} ${t.outcome}${t.ms === null ? "" : ` ${fixed(t.ms)} ms`}`))))));
  $("decisions").replaceChildren(...data.decisions.map((d) => el("tr", { class: `decision d-${d.decision}` },
    el("td", { class: "mono" }, when(d.at)),
    el("td", {}, d.by || ""),
    el("td", {}, d.decision || ""),
    el("td", { class: "wrap" }, d.reason || d.comment || ""))));
  $("decisions-empty").hidden = data.decisions.length > 0;
}

async function copyMermaid() {
  try {
    await navigator.clipboard.writeText(mermaidSource);
    $("copy-result").textContent = "copied";
  } catch (_) {
    // No clipboard access (an insecure origin): select the text for Ctrl+C instead.
    $("mermaid-source").parentElement.open = true;
    getSelection().selectAllChildren($("mermaid-source"));
    $("copy-result").textContent = "selected: press Ctrl+C";
  }
}

function downloadMermaid() {
  const url = URL.createObjectURL(new Blob([mermaidSource], { type: "text/plain" }));
  const name = `${thread().replace(/[^\w.-]/g, "_")}.mmd`;
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// Wiring ------------------------------------------------------------------------------
document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", login);
  $("logout").addEventListener("click", () => logout());
  if (PAGE === "run") {
    $("copy-mermaid").addEventListener("click", copyMermaid);
    $("download-mermaid").addEventListener("click", downloadMermaid);
  } else {
    restoreFilters();
    $("filters").addEventListener("submit", applyFilters);
    $("f-reset").addEventListener("click", () => { $("filters").reset(); applyFilters(); });
  }
  start().catch((err) => logout(err.message));
});

// wardflow runs page: every run, searchable and filtered by state, a run's step
// history, and the operator's actions (retry, cancel, replay). Plain JavaScript over
// /api/runs; every value from the server is written with textContent.
"use strict";

// el, api, login and logout come from client.js.

async function start() {
  if (!sessionStorage.getItem(TOKEN_KEY)) return logout();
  const me = await api("/api/me");
  $("who-name").textContent = me.name;
  $("who-role").textContent = me.role;
  $("who").hidden = false;
  $("login-view").hidden = true;
  $("app-view").hidden = false;
  await guarded(async () => {
    await loadRuns();
    const thread = decodeURIComponent(location.hash.slice(1));
    if (thread) await openRun(thread);
  });
}

async function guarded(work) {
  $("ops-error").textContent = "";
  try {
    await work();
  } catch (err) {
    if (err.status !== 401) $("ops-error").textContent = err.message;
  }
}

// Formatting --------------------------------------------------------------------------
const when = (ts) => (ts ? String(ts).replace("T", " ").replace(/(\.\d+)?(\+00:00|Z)$/, "") : "");
const status = (name) => el("span", { class: `status s-${String(name).replace(/\W+/g, "_")}` }, name);
const ms = (value) => (value === null || value === undefined ? "" : value >= 1000
  ? `${(value / 1000).toFixed(2)} s` : `${Number(value).toFixed(1)} ms`);
const text = (value) => (value === null || value === undefined ? "" : typeof value === "object"
  ? JSON.stringify(value) : String(value));

// The list ----------------------------------------------------------------------------
const view = { page: 1, pages: 1, states: [], open: null, mayAct: false };

function query() {
  const params = new URLSearchParams();
  const q = $("q").value.trim();
  if (q) params.set("q", q);
  for (const box of $("states").querySelectorAll("input:checked")) params.append("state", box.value);
  params.set("page", String(view.page));
  params.set("per_page", $("per-page").value);
  return params;
}

function fillStates(states, counts) {
  const box = $("states");
  if (box.querySelectorAll("input").length === 0) {
    for (const name of states) {
      const input = el("input", { type: "checkbox", value: name, name: "state" });
      input.addEventListener("change", () => { view.page = 1; guarded(loadRuns); });
      box.append(el("label", { dataset: { state: name } }, input, name,
        el("span", { class: "count" })));
    }
  }
  for (const label of box.querySelectorAll("label")) {
    const n = counts[label.dataset.state] || 0;
    label.querySelector(".count").textContent = n ? `(${n})` : "";
  }
}

async function loadRuns() {
  const data = await api(`/api/runs?${query()}`);
  view.page = data.page;
  view.pages = data.pages;
  view.mayAct = data.may_act;
  fillStates(data.states, data.counts);
  $("runs-count").textContent = `${data.total} of ${data.all}`;
  $("page-info").textContent = `page ${data.page} of ${data.pages}`;
  $("page-prev").disabled = data.page <= 1;
  $("page-next").disabled = data.page >= data.pages;
  $("runs").replaceChildren(...data.runs.map((run) => {
    const row = el("tr", { dataset: { thread: run.thread_id, status: run.status } },
      el("td", { class: "mono" }, run.thread_id),
      el("td", {}, run.workflow),
      el("td", { class: "wrap" }, run.document || ""),
      el("td", { class: "wrap" }, run.vendor || ""),
      el("td", { class: "num" }, run.total ? `${run.currency || ""} ${run.total}` : ""),
      el("td", {}, status(run.status)),
      el("td", { class: "wrap" }, run.error || (run.reasons || []).join(", ")),
      el("td", { class: "mono" }, when(run.updated)));
    if (run.thread_id === view.open) row.classList.add("active");
    row.addEventListener("click", () => guarded(() => openRun(run.thread_id)));
    return row;
  }));
  $("runs-empty").hidden = data.runs.length > 0;
}

// One run -----------------------------------------------------------------------------
async function openRun(thread) {
  const data = await api(`/api/runs/${encodeURIComponent(thread)}`);
  view.open = thread;
  history.replaceState(null, "", `#${encodeURIComponent(thread)}`);
  for (const row of $("runs").querySelectorAll("tr")) {
    row.classList.toggle("active", row.dataset.thread === thread);
  }
  showRun(data);
}

function showRun(data) {
  const run = data.run;
  $("run-view").hidden = false;
  $("run-thread").textContent = run.thread_id;
  $("run-status").replaceWith(Object.assign(status(run.status), { id: "run-status" }));
  const parts = [run.workflow, run.step_status ? `last step ${run.step_status}` : "", run.document, run.vendor,
    run.total ? `${run.currency || ""} ${run.total}` : "", run.error || ""];
  if (run.cancelled) parts.push(`cancelled by ${run.cancelled.by}: ${run.cancelled.reason}`);
  $("run-summary").textContent = parts.filter(Boolean).join(" · ");

  const may = data.may_act ? run.may : { retry: false, cancel: false, replay: false };
  $("run-actions").hidden = !(may.retry || may.cancel);
  $("retry").hidden = !may.retry;
  $("retry").disabled = false;
  $("cancel-box").hidden = !may.cancel;
  $("cancel-reason").value = "";
  $("cancel").disabled = true;

  $("steps").replaceChildren(...data.steps.map((step, index) => el("tr", { dataset: { node: step.node } },
    el("td", { class: "num" }, String(index + 1)),
    el("td", { class: "mono" }, step.node),
    el("td", { class: "mono" }, when(step.started)),
    el("td", { class: "mono" }, when(step.ended)),
    el("td", { class: "num" }, ms(step.ms)),
    el("td", {}, status(step.status)),
    el("td", { class: "wrap" }, step.outcome || ""))));
  $("actions").replaceChildren(...data.actions.map((action) => el("tr", {},
    el("td", { class: "mono" }, when(action.at)),
    el("td", { class: "mono" }, action.action),
    el("td", {}, action.actor),
    el("td", { class: "wrap" }, summary(action.detail)))));

  $("replay-box").hidden = !may.replay;
  $("replay-result").hidden = true;
  $("replay-from").replaceChildren(...data.checkpoints.filter((c) => c.next.length).map((c) =>
    el("option", { value: c.checkpoint_id, selected: c.written_by === "ingest" },
      `step ${c.step}: before ${c.next.join(", ")}`)));
  $("replay-model").replaceChildren(...(data.replay_models || []).map((name) =>
    el("option", { value: name }, name === "none" ? "none (parsers only)" : name)));
}

function summary(detail) {
  if (!detail || typeof detail !== "object") return text(detail);
  const keys = ["reason", "decision", "comment", "stage", "detail", "was", "via", "model", "settings_changed"];
  return keys.filter((k) => detail[k] !== undefined && detail[k] !== null && detail[k] !== "")
    .map((k) => `${k}: ${text(detail[k])}`).join("; ");
}

// Actions -----------------------------------------------------------------------------
async function act(button, path, body, done) {
  // Disabled while the request runs: a second click cannot send a second request.
  button.disabled = true;
  $("ops-notice").textContent = "";
  await guarded(async () => {
    const answer = await api(path, { method: "POST", body });
    $("ops-notice").textContent = done(answer);
    if (answer.history) showRun({ ...answer.history, may_act: view.mayAct, replay_models: currentModels() });
    await loadRuns();
  });
  button.disabled = false;
}

const currentModels = () => [...$("replay-model").options].map((o) => o.value);
const runPath = (action) => `/api/runs/${encodeURIComponent(view.open)}/${action}`;

function retry() {
  return act($("retry"), runPath("retry"), {}, (answer) =>
    `${view.open} retried: now ${answer.run.status}${answer.run.posting_id ? ` (${answer.run.posting_id})` : ""}`);
}

function cancel() {
  const reason = $("cancel-reason").value.trim();
  if (!reason) return undefined;
  return act($("cancel"), runPath("cancel"), { reason }, () => `${view.open} cancelled; it will never post`);
}

async function replay(event) {
  event.preventDefault();
  const body = { from_checkpoint: $("replay-from").value || null, model: $("replay-model").value || null };
  const threshold = $("replay-threshold").value;
  const risk = $("replay-risk").value;
  if (threshold !== "") body.review_threshold = Number(threshold);
  if (risk !== "") body.risk_threshold = Number(risk);
  const button = $("replay");
  button.disabled = true;
  await guarded(async () => {
    const report = await api(runPath("replay"), { method: "POST", body });
    showReplay(report);
  });
  button.disabled = false;
}

function showReplay(report) {
  $("replay-result").hidden = false;
  const changes = report.changes.length;
  $("replay-verdict").textContent = changes
    ? `${changes} difference(s) from the original run (from ${report.chosen})`
    : `No difference from the original run (from ${report.chosen})`;
  $("replay-rows").replaceChildren(...report.rows.map((row) => el("tr",
    { class: row.changed ? "changed" : "", dataset: { what: row.what } },
    el("td", {}, (row.changed ? "≠ " : "") + row.what),
    el("td", { class: "wrap" }, text(row.original)),
    el("td", { class: "wrap" }, text(row.replay)))));
  $("replay-notes").replaceChildren(...[...report.notes, ...report.review.map((r) =>
    `would go to review: ${r.code}: ${r.detail}`)].map((note) => el("li", {}, note)));
}

// Wiring ------------------------------------------------------------------------------
document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", login);
  $("logout").addEventListener("click", () => logout());
  $("search").addEventListener("submit", (event) => {
    event.preventDefault();
    view.page = 1;
    guarded(loadRuns);
  });
  $("search-reset").addEventListener("click", () => {
    $("q").value = "";
    for (const box of $("states").querySelectorAll("input")) box.checked = false;
    view.page = 1;
    guarded(loadRuns);
  });
  $("per-page").addEventListener("change", () => { view.page = 1; guarded(loadRuns); });
  $("page-prev").addEventListener("click", () => { view.page -= 1; guarded(loadRuns); });
  $("page-next").addEventListener("click", () => { view.page += 1; guarded(loadRuns); });
  $("run-close").addEventListener("click", () => {
    view.open = null;
    $("run-view").hidden = true;
    history.replaceState(null, "", location.pathname);
  });
  $("retry").addEventListener("click", retry);
  $("cancel-reason").addEventListener("input", () => {
    $("cancel").disabled = !$("cancel-reason").value.trim();
  });
  $("cancel").addEventListener("click", cancel);
  $("replay-form").addEventListener("submit", replay);
  start();
});

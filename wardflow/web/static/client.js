// wardflow pages' shared client: the DOM helpers, the JSON API with the session's
// bearer token, and log in / log out. Loaded before each page's own script (audit.js,
// runs.js), which defines start(): what the page does once someone is logged in.
"use strict";

const TOKEN_KEY = "wardflow.token";  // shared by every page: one login for all
const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child ?? "");
  return node;
}

class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
    this.status = status;
  }
}

async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  let answer = null;
  try { answer = await response.json(); } catch (_) { /* not JSON */ }
  if (response.status === 401 && path !== "/api/login") {
    logout(answer?.detail);
    throw new ApiError(401, answer?.detail);
  }
  if (!response.ok) throw new ApiError(response.status, answer?.detail ?? response.statusText);
  return answer;
}

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
  }
}

function logout(reason = "") {
  sessionStorage.removeItem(TOKEN_KEY);
  $("who").hidden = true;
  $("app-view").hidden = true;
  $("login-view").hidden = false;
  $("login-error").textContent = reason || "";
  $("login-name").focus();
}

// The REST API from the browser: the bearer token in sessionStorage, JSON in and out, one-line errors.

const TOKEN_KEY = "argentier.token";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function getToken() { return window.sessionStorage.getItem(TOKEN_KEY); }
export function setToken(token) { window.sessionStorage.setItem(TOKEN_KEY, token); }
export function clearToken() { window.sessionStorage.removeItem(TOKEN_KEY); }

let onUnauthorized = () => {};
export function setUnauthorizedHandler(handler) { onUnauthorized = handler; }

function url(path, query) {
  const u = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value === null || value === undefined || value === "") continue;
    for (const item of Array.isArray(value) ? value : [value]) u.searchParams.append(key, item);
  }
  return u.pathname + u.search;
}

export async function api(path, { method = "GET", query, json, body, contentType } = {}) {
  const headers = { Accept: "application/json" };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload = body;
  if (json !== undefined) { payload = JSON.stringify(json); headers["Content-Type"] = "application/json"; }
  else if (body !== undefined) headers["Content-Type"] = contentType || "application/octet-stream";
  let response;
  try {
    response = await fetch(url(path, query), { method, headers, body: payload, credentials: "omit" });
  } catch (error) {
    throw new ApiError(0, `The server did not answer (${error.message}).`);
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    const detail = data && data.detail ? (typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail)) : response.statusText;
    if (response.status === 401 && path !== "/auth/token") onUnauthorized(detail);
    throw new ApiError(response.status, `${detail} (HTTP ${response.status})`);
  }
  return data;
}

let schemaPromise = null;

// The API paths this server offers (from its OpenAPI schema): pages of modules not served yet say so.
export function apiPaths() {
  if (!schemaPromise) {
    schemaPromise = fetch("/openapi.json", { credentials: "omit" })
      .then(r => (r.ok ? r.json() : { paths: {} }))
      .then(schema => new Set(Object.keys(schema.paths || {})))
      .catch(() => new Set());
  }
  return schemaPromise;
}

export function hasRole(user, role) {
  const order = ["viewer", "analyst", "admin"];
  return !!user && order.indexOf(user.role) >= order.indexOf(role);
}

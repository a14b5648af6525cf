// The application shell: login, navigation and the hash router (#/page/...?query), so no API path is shadowed.

import { api, apiPaths, clearToken, getToken, setToken, setUnauthorizedHandler } from "./api.js";
import { announce, clear, errorBox, field, h, unavailable } from "./dom.js";

export const ROUTES = [
  { path: "", label: "Home", module: "./pages/home.js", needs: [] },
  { path: "documents", label: "Documents", module: "./pages/documents.js", needs: ["/documents"] },
  { path: "search", label: "Search", module: "./pages/search.js", needs: ["/search"] },
  { path: "regwatch", label: "Regulatory watch", module: "./pages/regwatch.js", needs: ["/regwatch/groups"] },
  { path: "contracts", label: "Contracts", module: "./pages/contracts.js", needs: ["/contracts"] },
  { path: "fraud", label: "Fraud alerts", module: "./pages/fraud.js", needs: ["/fraud/models"] },
  { path: "forecast", label: "Forecasts", module: "./pages/forecast.js", needs: ["/forecast"] },
  { path: "profitability", label: "Profitability", module: "./pages/profitability.js", needs: ["/profitability"] },
  { path: "planning", label: "Planning", module: "./pages/planning.js", needs: ["/planning"] },
  { path: "assistant", label: "Assistant", module: "./pages/assistant.js", needs: ["/assistant/ask"] },
  { path: "datasets", label: "Datasets", module: "./pages/datasets.js", needs: ["/datasets"] },
  { path: "review", label: "Review", module: "./pages/review.js", needs: ["/review/stats"] },
];

const state = { user: null, paths: new Set(), renderId: 0 };
const main = () => document.getElementById("main");

// A prefix match: "/forecast" is offered when the schema has "/forecast" or any "/forecast/..." path.
export function offers(paths, needed) {
  return needed.every(p => [...paths].some(q => q === p || q.startsWith(`${p}/`)));
}

function parseHash() {
  const raw = window.location.hash.replace(/^#\/?/, "");
  const [pathPart, query = ""] = raw.split("?");
  const segments = pathPart.split("/").filter(Boolean).map(decodeURIComponent);
  return { segments, params: new URLSearchParams(query) };
}

export function navigate(hash) {
  if (window.location.hash === hash) route();
  else window.location.hash = hash;
}

function takeTokenFromFragment() {
  const match = window.location.hash.match(/^#token=([^&]+)/);
  if (!match) return;
  setToken(decodeURIComponent(match[1]));
  // The token must not stay in the address bar, the history or a bookmark.
  window.history.replaceState(null, "", `${window.location.pathname}${window.location.search}#/`);
}

function renderNav(current) {
  const nav = document.getElementById("nav");
  nav.hidden = false;
  clear(nav, h("ul", {}, ROUTES.map(r => {
    const available = offers(state.paths, r.needs);
    return h("li", {}, h("a", {
      href: `#/${r.path}`, "aria-current": r.path === current ? "page" : null,
    }, r.label, available ? null : h("span", { class: "soon" }, " (not available yet)")));
  })));
}

function renderWho() {
  const who = document.getElementById("who");
  if (!state.user) { clear(who); return; }
  clear(who,
    h("span", { "data-testid": "whoami" }, `${state.user.username} · ${state.user.role}`,
      state.user.groups.length ? ` · ${state.user.groups.join(", ")}` : ""),
    h("button", { type: "button", class: "secondary", onclick: logout }, "Log out"));
}

async function logout() {
  clearToken();
  state.user = null;
  renderWho();
  window.location.hash = "#/";
  showLogin("You are logged out.");
}

function showLogin(message) {
  document.getElementById("nav").hidden = true;
  const username = h("input", { name: "username", autocomplete: "username", required: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const feedback = h("div", { "aria-live": "assertive" });
  if (message) feedback.append(h("div", { class: "alert info" }, message));
  const button = h("button", { type: "submit" }, "Log in");
  const form = h("form", { class: "panel login", "aria-labelledby": "login-title" },
    h("h1", { id: "login-title" }, "Log in to Argentier"),
    field("User name", username), field("Password", password), feedback, button);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    button.disabled = true;
    clear(feedback);
    try {
      const issued = await api("/auth/token", { method: "POST", json: { username: username.value, password: password.value, token_name: "web" } });
      setToken(issued.token);
      await start();
    } catch (error) {
      feedback.append(errorBox(error));
      button.disabled = false;
      password.select();
    }
  });
  clear(main(), form);
  username.focus();
}

async function route() {
  if (!state.user) return;
  const { segments, params } = parseHash();
  const hash = window.location.hash;
  if (hash && !hash.startsWith("#/") && hash !== "#") return;  // e.g. the skip link's #main
  const top = segments[0] || "";
  const spec = ROUTES.find(r => r.path === top);
  renderNav(spec ? spec.path : null);
  const renderId = ++state.renderId;
  const container = h("div", { class: "page" });
  clear(main(), container);
  delete main().dataset.rendered;
  try {
    await renderPage(spec, container, { segments, params, hash, renderId });
  } finally {
    // Tests and assistive tools can tell that the page for this address has finished rendering.
    if (renderId === state.renderId) main().dataset.rendered = hash || "#/";
  }
}

async function renderPage(spec, container, { segments, params, hash, renderId }) {
  if (!spec) {
    container.append(h("h1", {}, "Page not found"), h("p", {}, "There is no page ", h("code", { text: hash }), ". ", h("a", { href: "#/" }, "Go home")));
    return;
  }
  document.title = `${spec.label} · Argentier`;
  if (!offers(state.paths, spec.needs)) {
    container.append(h("h1", {}, spec.label), unavailable(spec.label, spec.needs));
    announce(`${spec.label} is not available yet`);
    return;
  }
  try {
    const page = await import(spec.module);
    const ctx = { segments, params, user: state.user, paths: state.paths, navigate, offers: needed => offers(state.paths, needed), isCurrent: () => renderId === state.renderId };
    const result = await page.render(container, ctx);
    if (renderId !== state.renderId) return;
    if (!(result && result.keepFocus)) main().focus({ preventScroll: true });
    announce(`${spec.label} page loaded`);
  } catch (error) {
    if (renderId === state.renderId) container.append(errorBox(error));
  }
}

async function start() {
  const [user, paths] = await Promise.all([api("/auth/me"), apiPaths()]);
  state.user = user;
  state.paths = paths;
  renderWho();
  await route();
}

async function boot() {
  document.getElementById("skip-link").addEventListener("click", event => {
    event.preventDefault();
    main().focus();
  });
  setUnauthorizedHandler(detail => {
    clearToken();
    state.user = null;
    renderWho();
    showLogin(`Please log in again: ${detail}`);
  });
  window.addEventListener("hashchange", () => {
    if (window.location.hash.startsWith("#token=")) { takeTokenFromFragment(); start().catch(() => {}); return; }
    route();
  });
  takeTokenFromFragment();
  if (!getToken()) { showLogin(); return; }
  try { await start(); } catch (error) { if (!state.user) showLogin(error.message); }
}

boot();

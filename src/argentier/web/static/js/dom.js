// Small DOM helpers: build elements without innerHTML (so no text from the API is ever parsed as markup).

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function announce(message) {
  const status = document.getElementById("status");
  status.textContent = "";
  window.setTimeout(() => { status.textContent = message; }, 30);
}

export function errorBox(error) {
  return h("div", { class: "alert error", role: "alert" }, error && error.message ? error.message : String(error));
}

export function okBox(message) {
  return h("div", { class: "alert ok", role: "status" }, message);
}

export function unavailable(what, paths) {
  return h("div", { class: "unavailable", "data-testid": "unavailable" },
    h("h2", { text: `${what} is not available yet` }),
    h("p", {}, "This server's API does not offer ", paths.map((p, i) => [i ? ", " : "", h("code", { text: p })]),
      " yet, so there is nothing to show here. The page appears when the server is upgraded."));
}

export function badge(value, extra) {
  return h("span", { class: `badge ${value}` }, extra || value);
}

export function fmtNumber(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return "–";
  const number = Math.abs(Number(value)) < 0.5 * 10 ** -digits ? 0 : Number(value);  // never "-0"
  return number.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtPercent(value, digits = 0) {
  if (value === null || value === undefined) return "–";
  return `${(value * 100).toFixed(digits)}%`;
}

export function fmtDate(value) {
  if (!value) return "–";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().slice(0, 10);
}

// A table from column specs: {label, value: row => text|Node, num: bool}.
export function table(columns, rows, { caption, empty = "Nothing to show.", testid } = {}) {
  if (!rows.length) return h("p", { class: "muted", "data-testid": testid }, empty);
  return h("div", { class: "table-wrap" },
    h("table", { "data-testid": testid },
      caption ? h("caption", { text: caption }) : null,
      h("thead", {}, h("tr", {}, columns.map(c => h("th", { scope: "col", class: c.num ? "num" : null }, c.label)))),
      h("tbody", {}, rows.map(row => h("tr", {}, columns.map(c => h("td", { class: c.num ? "num" : null }, c.value(row))))))));
}

export function field(labelText, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const hintEl = hint ? h("small", { class: "muted", id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, labelText), control, hintEl);
}

export function pager(page, onPage, label = "items") {
  const { offset, limit, total, next_offset: next } = page;
  const shown = page.items.length;
  const range = shown ? `${offset + 1}–${offset + shown}${total !== null && total !== undefined ? ` of ${total}` : ""}` : "none";
  return h("nav", { class: "pager", "aria-label": `Pages of ${label}` },
    h("button", { class: "secondary", disabled: offset === 0, onclick: () => onPage(Math.max(0, offset - limit)) }, "Previous"),
    h("span", { "aria-live": "polite" }, `${label} ${range}`),
    h("button", { class: "secondary", disabled: next === null || next === undefined, onclick: () => onPage(next) }, "Next"));
}

// Tab list with arrow-key navigation (WAI-ARIA tabs pattern); panels are rendered lazily by `show`.
export function tabs(names, show, selected = 0) {
  const panel = h("div", { role: "tabpanel", tabindex: "0", id: `panel-${Math.random().toString(36).slice(2, 9)}` });
  const buttons = names.map((name, i) => h("button", {
    role: "tab", type: "button", id: `tab-${name.replace(/\W+/g, "-").toLowerCase()}`, "aria-controls": panel.id,
    onclick: () => select(i),
    onkeydown: event => {
      const move = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (move) { event.preventDefault(); select((i + move + names.length) % names.length, true); }
    },
  }, name));
  function select(i, focus) {
    buttons.forEach((b, j) => {
      b.setAttribute("aria-selected", String(i === j));
      b.tabIndex = i === j ? 0 : -1;
    });
    panel.setAttribute("aria-labelledby", buttons[i].id);
    if (focus) buttons[i].focus();
    clear(panel);
    show(names[i], panel);
  }
  const list = h("div", { class: "tabs", role: "tablist" }, buttons);
  select(selected);
  return [list, panel];
}

// Hand-written SVG charts: a time series with its forecast interval and anomalies, bars, and a waterfall/bridge.
// Each chart is one focusable figure: arrow keys (Home/End) walk the points, hover does the same, the value is
// shown in a tooltip and read out by a live region; "Data" opens the same figures as a table.

import { fmtNumber, h, s, table } from "./dom.js";

const W = 760;

function toX(value) {
  if (typeof value === "number") return value;
  const t = Date.parse(value);
  return Number.isNaN(t) ? 0 : t;
}

function label(value) {
  if (typeof value === "number") return String(value);
  return String(value).slice(0, 10);
}

function niceTicks(min, max, count = 5) {
  if (min === max) { min -= 1; max += 1; }
  const step0 = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(m => m >= step0) || step0;
  const ticks = [];
  const last = Math.ceil(max / step - 1e-9) * step;
  for (let v = Math.floor(min / step + 1e-9) * step; v <= last + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function tooltipAt(text, x, y) {
  const tip = document.getElementById("tooltip");
  if (!tip) return;
  if (text === null) { tip.hidden = true; return; }
  tip.textContent = text;
  tip.hidden = false;
  tip.style.left = `${Math.min(x + 12, window.innerWidth - 290)}px`;
  tip.style.top = `${Math.max(y - 36, 4)}px`;
}

// Wire keyboard and pointer navigation over `points` ({cx, cy, text}) drawn in `svg` (viewBox units).
function interactive(figure, svg, points, onActive) {
  const live = h("p", { class: "visually-hidden", "aria-live": "polite" });
  figure.append(live);
  let index = -1;
  function show(i, fromKeyboard) {
    if (!points.length) return;
    index = Math.max(0, Math.min(points.length - 1, i));
    const p = points[index];
    onActive(index);
    const box = svg.getBoundingClientRect();
    const scale = box.width / svg.viewBox.baseVal.width;
    tooltipAt(p.text, box.left + p.cx * scale, box.top + p.cy * scale);
    if (fromKeyboard) live.textContent = p.text;
  }
  svg.addEventListener("keydown", event => {
    const moves = { ArrowRight: index + 1, ArrowUp: index + 1, ArrowLeft: index - 1, ArrowDown: index - 1, Home: 0, End: points.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    show(index < 0 && event.key.startsWith("Arrow") ? 0 : moves[event.key], true);
  });
  svg.addEventListener("focus", () => show(index < 0 ? 0 : index, true));
  svg.addEventListener("blur", () => { tooltipAt(null); onActive(-1); });
  svg.addEventListener("mousemove", event => {
    const box = svg.getBoundingClientRect();
    const vx = (event.clientX - box.left) * (svg.viewBox.baseVal.width / box.width);
    let best = 0;
    points.forEach((p, i) => { if (Math.abs(p.cx - vx) < Math.abs(points[best].cx - vx)) best = i; });
    show(best, false);
  });
  svg.addEventListener("mouseleave", () => { if (document.activeElement !== svg) { tooltipAt(null); onActive(-1); } });
}

function frame(title, description, svg, dataTable, legend) {
  const id = `chart-${Math.random().toString(36).slice(2, 9)}`;
  svg.setAttribute("aria-labelledby", `${id}-title`);
  svg.setAttribute("aria-describedby", `${id}-desc`);
  return h("figure", { class: "chart-figure" },
    h("figcaption", {}, h("strong", { id: `${id}-title` }, title), h("span", { id: `${id}-desc`, class: "muted" }, ` ${description}`)),
    legend || null, svg,
    h("details", {}, h("summary", {}, "Data"), dataTable));
}

function short(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function axisY(ticks, y, left, right, format) {
  return s("g", { class: "axis" }, ticks.map(t => [
    s("line", { class: "grid", x1: left, x2: right, y1: y(t), y2: y(t) }),
    s("text", { x: left - 6, y: y(t) + 4, "text-anchor": "end" }, format(t)),
  ]));
}

/**
 * A time series: `history` [{x, y}], optional `forecast` [{x, y, lo, hi}] drawn dashed over its interval band,
 * `anomalies` [{x, y, text}] as red dots.
 */
export function lineChart({ history = [], forecast = [], anomalies = [], lines = [], title, format = v => fmtNumber(v, 1), height = 300 }) {
  const extra = lines.flatMap(line => line.points);
  const all = [...history, ...forecast, ...extra].sort((a, b) => toX(a.x) - toX(b.x));
  const xs = all.map(p => toX(p.x));
  const ys = [...history.map(p => p.y), ...extra.map(p => p.y), ...forecast.flatMap(p => [p.y, p.lo ?? p.y, p.hi ?? p.y]), ...anomalies.map(p => p.y)].filter(v => v !== null && v !== undefined);
  const left = 64, right = W - 16, top = 12, bottom = height - 28;
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const ticks = niceTicks(Math.min(...ys), Math.max(...ys));
  const [y0, y1] = [ticks[0], ticks[ticks.length - 1]];
  const x = v => left + (x1 === x0 ? 0.5 : (toX(v) - x0) / (x1 - x0)) * (right - left);
  const y = v => bottom - ((v - y0) / (y1 - y0 || 1)) * (bottom - top);
  const path = points => points.map((p, i) => `${i ? "L" : "M"}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join("");
  const banded = forecast.filter(p => p.lo !== undefined && p.lo !== null && p.hi !== undefined && p.hi !== null);
  const band = banded.length ? `${banded.map((p, i) => `${i ? "L" : "M"}${x(p.x).toFixed(1)},${y(p.hi).toFixed(1)}`).join("")}${banded.slice().reverse().map(p => `L${x(p.x).toFixed(1)},${y(p.lo).toFixed(1)}`).join("")}Z` : null;
  const cursor = s("line", { class: "cursor", y1: top, y2: bottom, visibility: "hidden" });
  const distinct = [...new Map(all.map(p => [label(p.x), p])).values()];
  const xTicks = distinct.length ? [...new Set([0, 0.25, 0.5, 0.75, 1].map(f => Math.round(f * (distinct.length - 1))))].map(i => distinct[i]) : [];
  const svg = s("svg", { class: "chart", viewBox: `0 0 ${W} ${height}`, role: "img", tabindex: "0", "data-testid": "line-chart" },
    axisY(ticks, y, left, right, format),
    s("g", { class: "axis" }, xTicks.map((p, i) => s("text", { x: x(p.x), y: bottom + 18, "text-anchor": i === 0 ? "start" : i === xTicks.length - 1 ? "end" : "middle" }, label(p.x)))),
    band ? s("path", { class: "band", d: band }) : null,
    history.length ? s("path", { class: "history", d: path(history) }) : null,
    forecast.length ? s("path", { class: "forecast", d: path(history.length ? [history[history.length - 1], ...forecast] : forecast) }) : null,
    lines.map((line, i) => s("path", { class: `extra extra-${i % 4}`, d: path(line.points) })),
    anomalies.map(p => s("circle", { class: "anomaly", cx: x(p.x), cy: y(p.y), r: 5, "data-testid": "anomaly" }, s("title", {}, p.text || `Anomaly on ${label(p.x)}`))),
    cursor);
  const anomalyAt = new Map(anomalies.map(p => [label(p.x), p]));
  const points = [
    ...history.map(p => ({ cx: x(p.x), cy: y(p.y), text: `${label(p.x)}: ${format(p.y)}${anomalyAt.has(label(p.x)) ? ` — anomaly${anomalyAt.get(label(p.x)).text ? `: ${anomalyAt.get(label(p.x)).text}` : ""}` : ""}` })),
    ...forecast.map(p => ({ cx: x(p.x), cy: y(p.y), text: `${label(p.x)}: forecast ${format(p.y)}${p.lo !== undefined && p.lo !== null ? ` (interval ${format(p.lo)} to ${format(p.hi)})` : ""}` })),
  ];
  // Extra lines (e.g. scenarios) read out together, one point per date.
  const byDate = new Map();
  for (const line of lines) for (const p of line.points) {
    const key = label(p.x);
    if (!byDate.has(key)) byDate.set(key, { cx: x(p.x), cy: y(p.y), parts: [] });
    byDate.get(key).parts.push(`${line.label} ${format(p.y)}`);
  }
  for (const [key, p] of [...byDate.entries()].sort()) points.push({ cx: p.cx, cy: p.cy, text: `${key}: ${p.parts.join(", ")}` });
  points.sort((a, b) => a.cx - b.cx);
  const legend = h("div", { class: "legend", "aria-hidden": "true" },
    history.length ? h("span", {}, h("span", { class: "swatch history" }), "history") : null,
    forecast.length ? h("span", {}, h("span", { class: "swatch forecast" }), "forecast") : null,
    banded.length ? h("span", {}, h("span", { class: "swatch band" }), "interval") : null,
    anomalies.length ? h("span", {}, h("span", { class: "swatch anomaly" }), "anomaly") : null,
    lines.map((line, i) => h("span", {}, h("span", { class: `swatch extra-${i % 4}` }), line.label)));
  const rows = [...history.map(p => ({ ...p, kind: anomalyAt.has(label(p.x)) ? "history (anomaly)" : "history" })), ...forecast.map(p => ({ ...p, kind: "forecast" })),
    ...lines.flatMap(line => line.points.map(p => ({ ...p, kind: line.label })))];
  const data = table([
    { label: "Date", value: r => label(r.x) }, { label: "Series", value: r => r.kind },
    { label: "Value", value: r => format(r.y), num: true },
    { label: "Low", value: r => (r.lo === undefined || r.lo === null ? "" : format(r.lo)), num: true },
    { label: "High", value: r => (r.hi === undefined || r.hi === null ? "" : format(r.hi)), num: true },
  ], rows);
  const description = `${history.length ? `${history.length} observed points` : "No history"}${forecast.length ? `, ${forecast.length} forecast points` : ""}${lines.length ? `, ${lines.length} compared lines` : ""}${anomalies.length ? `, ${anomalies.length} anomalies` : ""}. Use the arrow keys to read the values.`;
  const figure = frame(title, description, svg, data, legend);
  interactive(figure, svg, points, i => {
    if (i < 0) { cursor.setAttribute("visibility", "hidden"); return; }
    cursor.setAttribute("x1", points[i].cx); cursor.setAttribute("x2", points[i].cx); cursor.setAttribute("visibility", "visible");
  });
  return figure;
}

/** Horizontal bars: `items` [{label, value}]. */
export function barChart(items, { title, format = v => fmtNumber(v, 1), max, unit = "" }) {
  const rowH = 26, left = 200, right = W - 60, height = items.length * rowH + 16;
  const top = Math.max(max ?? 0, ...items.map(i => i.value), 0) || 1;
  const x = v => left + (Math.max(v, 0) / top) * (right - left);
  const bars = items.map((item, i) => s("rect", { class: "bar", x: left, y: 8 + i * rowH, width: Math.max(x(item.value) - left, 1), height: rowH - 8 }));
  const svg = s("svg", { class: "chart", viewBox: `0 0 ${W} ${height}`, role: "img", tabindex: "0", "data-testid": "bar-chart" },
    items.map((item, i) => [
      s("text", { class: "label", x: left - 8, y: 8 + i * rowH + 13, "text-anchor": "end" }, item.label),
      bars[i],
      s("text", { class: "label", x: x(item.value) + 6, y: 8 + i * rowH + 13 }, format(item.value)),
    ]));
  const points = items.map((item, i) => ({ cx: x(item.value), cy: 8 + i * rowH, text: `${item.label}: ${format(item.value)}` }));
  const figure = frame(title, `${items.length} bars${unit ? ` in ${unit}` : ""}. Use the arrow keys to read the values.`, svg,
    table([{ label: "Item", value: r => r.label }, { label: "Value", value: r => format(r.value), num: true }], items));
  interactive(figure, svg, points, i => bars.forEach((b, j) => b.classList.toggle("bar-active", i === j)));
  return figure;
}

/**
 * A waterfall (or variance bridge): `steps` [{label, value, total}] where a total bar stands on zero and shows
 * the running sum (its value is checked against the running sum in the data table) and any other bar is a change.
 */
export function waterfallChart(steps, { title, format = v => fmtNumber(v, 0), height = 320, zeroBased = true }) {
  let running = 0;
  const bars = steps.map(step => {
    if (step.total) { running = step.value; return { ...step, from: 0, to: step.value }; }
    const from = running;
    running += step.value;
    return { ...step, from, to: running };
  });
  // A bridge's effects are small beside its totals: its axis may start above zero (the totals are then cut).
  const values = zeroBased ? bars.flatMap(b => [b.from, b.to]).concat(0) : bars.flatMap(b => (b.total ? [b.to] : [b.from, b.to]));
  const ticks = niceTicks(Math.min(...values), Math.max(...values));
  const left = 72, right = W - 12, top = 12, bottom = height - 46;
  const [y0, y1] = [ticks[0], ticks[ticks.length - 1]];
  const y = v => bottom - ((v - y0) / (y1 - y0 || 1)) * (bottom - top);
  const slot = (right - left) / Math.max(bars.length, 1);
  const rects = bars.map((b, i) => s("rect", {
    class: b.total ? "bar-total" : b.value >= 0 ? "bar-up" : "bar-down",
    x: left + i * slot + slot * 0.15, width: slot * 0.7,
    y: Math.min(y(Math.max(b.from, ticks[0])), y(b.to)), height: Math.max(Math.abs(y(Math.max(b.from, ticks[0])) - y(b.to)), 1),
  }));
  const svg = s("svg", { class: "chart", viewBox: `0 0 ${W} ${height}`, role: "img", tabindex: "0", "data-testid": "waterfall-chart" },
    axisY(ticks, y, left, right, format),
    s("line", { class: "connector", x1: left, x2: right, y1: y(0), y2: y(0) }),
    bars.map((b, i) => [
      i < bars.length - 1 ? s("line", { class: "connector", x1: left + i * slot + slot * 0.85, x2: left + (i + 1) * slot + slot * 0.15, y1: y(b.to), y2: y(b.to) }) : null,
      rects[i],
      s("text", { class: "label", x: left + i * slot + slot / 2, y: bottom + 16, "text-anchor": "middle" }, short(b.label.replace(/_/g, " "), Math.max(4, Math.floor(slot / 6.5)))),
      s("text", { class: "label", x: left + i * slot + slot / 2, y: bottom + 30, "text-anchor": "middle" }, b.total ? format(b.value) : `${b.value >= 0 ? "+" : ""}${format(b.value)}`),
    ]));
  const points = bars.map((b, i) => ({ cx: left + i * slot + slot / 2, cy: Math.min(y(b.from), y(b.to)), text: b.total ? `${b.label}: ${format(b.value)}` : `${b.label}: ${b.value >= 0 ? "+" : ""}${format(b.value)} (to ${format(b.to)})` }));
  const note = zeroBased || ticks[0] <= 0 ? "" : ` The axis starts at ${format(ticks[0])}, not zero.`;
  const figure = frame(title, `${bars.length} steps.${note} Use the arrow keys to read each step.`, svg,
    table([{ label: "Step", value: r => r.label }, { label: "Change", value: r => (r.total ? "" : format(r.value)), num: true }, { label: "Running total", value: r => format(r.to), num: true }], bars));
  interactive(figure, svg, points, i => rects.forEach((r, j) => r.classList.toggle("bar-active", i === j)));
  return figure;
}

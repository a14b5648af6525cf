// Forecasts: run a forecast of a dataset (a background job) and read it as charts (history, forecast, interval
// band, anomalies marked) with drill-down through the hierarchy; find anomalies; saved versions; scenarios.

import { api, hasRole } from "../api.js";
import { lineChart } from "../charts.js";
import { clear, errorBox, field, fmtNumber, h, table, tabs } from "../dom.js";
import { datasetSelect, listDatasets, runJob } from "../jobs.js";

const QUICK = ["seasonal_naive", "naive"];
const FULL = ["ets", "arima", "theta", "seasonal_naive", "mstl"];

export async function render(root, ctx) {
  root.append(h("h1", {}, "Forecasts"));
  const datasets = await listDatasets(true);
  const [list, panel] = tabs(["Run a forecast", "Anomalies", "Saved versions", "Scenarios"], (name, el) => {
    if (name === "Run a forecast") runView(el, ctx, datasets);
    else if (name === "Anomalies") anomalyView(el, ctx, datasets);
    else if (name === "Saved versions") versionsView(el, ctx);
    else scenariosView(el, ctx);
  }, Number(ctx.params.get("tab") || 0));
  root.append(list, panel);
}

function seriesForm(datasets, extra) {
  const picked = datasetSelect(datasets, { label: "Dataset (ds, y and unique_id or hierarchy columns)", name: "dataset", columns: ["ds", "y"], prefer: "revenue" });
  const levels = h("input", { name: "levels", size: 24, placeholder: "e.g. region, category" });
  const fill = () => {
    const info = datasets.find(d => d.id === picked.select.value);
    const others = info ? info.columns.map(c => c.name).filter(c => !["ds", "y", "unique_id"].includes(c)) : [];
    levels.value = others.join(", ");
  };
  picked.select.addEventListener("change", fill);
  fill();
  const form = h("form", { class: "panel" }, h("div", { class: "row" }, picked.element, field("Hierarchy columns, top first", levels), extra));
  const read = () => ({ dataset_id: picked.select.value, levels: levels.value.split(",").map(v => v.trim()).filter(Boolean) });
  return { form, read };
}

function runView(el, ctx, datasets) {
  const horizon = h("input", { name: "horizon", type: "number", min: 1, max: 1000, value: 6, size: 4 });
  const models = h("select", { name: "models" }, h("option", { value: "quick" }, "Quick: naive, seasonal naive"), h("option", { value: "full" }, "Full: ETS, ARIMA, Theta, MSTL, seasonal naive"));
  const save = hasRole(ctx.user, "analyst") ? h("input", { name: "save_version", size: 16, placeholder: "optional" }) : null;
  const { form, read } = seriesForm(datasets, [field("Horizon (periods)", horizon), field("Models", models),
    save ? field("Save as version", save) : null, h("button", { type: "submit" }, "Run forecast")]);
  const progress = h("div", {});
  const out = h("div", { "data-testid": "forecast-result" });
  form.addEventListener("submit", async event => {
    event.preventDefault();
    clear(out);
    try {
      const body = { ...read(), horizon: Number(horizon.value), models: models.value === "quick" ? QUICK : FULL, level: [80, 95], cv_windows: 1, global_model: false, save_version: save && save.value.trim() ? save.value.trim() : null };
      const result = await runJob(() => api("/forecast/runs", { method: "POST", json: body }), progress);
      if (result.version) out.append(h("p", {}, `Saved as version ${result.version.name} #${result.version.number}.`));
      out.append(h("p", { class: "muted" }, `${result.n_series} series, ${result.horizon} periods ahead (${result.freq}), reconciliation ${result.reconciliation}. Models chosen: ${Object.entries(result.chosen || {}).map(([m, n]) => `${m} × ${n}`).join(", ")}.`));
      seriesExplorer(out, result.series, { band: "95" });
    } catch (error) { clear(out, errorBox(error)); }
  });
  el.append(form, progress, out);
}

function anomalyView(el, ctx, datasets) {
  const level = h("input", { name: "level", type: "number", min: 50, max: 99.9, step: 0.1, value: 99, size: 5 });
  const record = hasRole(ctx.user, "analyst") ? h("input", { type: "checkbox", name: "findings" }) : null;
  const { form, read } = seriesForm(datasets, [field("Band width (%)", level),
    record ? h("label", {}, record, " send them to the review queue") : null, h("button", { type: "submit" }, "Find anomalies")]);
  const out = h("div", { "data-testid": "anomaly-result" });
  form.addEventListener("submit", async event => {
    event.preventDefault();
    clear(out, h("p", { class: "muted" }, "Scoring…"));
    try {
      let result = await api("/forecast/anomalies", { method: "POST", json: { ...read(), level: Number(level.value), findings: !!(record && record.checked) } });
      if (result.status && result.id) result = await runJob(async () => result, out);
      clear(out, h("p", {}, `${result.anomalies.length} anomal${result.anomalies.length === 1 ? "y" : "ies"} at ${result.level}%${result.finding_ids.length ? `, ${result.finding_ids.length} sent to review` : ""}.`),
        table([
          { label: "Series", value: a => a.unique_id }, { label: "When", value: a => (a.start === a.end ? a.start : `${a.start} to ${a.end}`) },
          { label: "Kind", value: a => a.kind }, { label: "Actual", value: a => fmtNumber(a.y, 1), num: true },
          { label: "Expected", value: a => fmtNumber(a.expected, 1), num: true }, { label: "Why", value: a => a.reason },
          { label: "Drill-down", value: a => (a.drill_down || []).map(d => d.unique_id || JSON.stringify(d)).join(", ") || "–" },
        ], result.anomalies, { testid: "anomaly-table", empty: "No anomaly at this band width." }));
      seriesExplorer(out, result.series, {});
    } catch (error) { clear(out, errorBox(error)); }
  });
  el.append(form, out);
}

// One chart at a time, with buttons for every series: the parent, the selected series and its children.
export function seriesExplorer(el, series, { band }) {
  if (!series || !series.length) { el.append(h("p", { class: "muted" }, "No series to draw.")); return; }
  const byId = new Map(series.map(s => [s.unique_id, s]));
  const parentOf = new Map();
  for (const s of series) for (const child of s.children || []) parentOf.set(child, s.unique_id);
  const holder = h("div", {});
  el.append(holder);
  function show(id) {
    const s = byId.get(id);
    const bandKey = band && s.forecast.length && s.forecast[0].bands ? (s.forecast[0].bands[band] ? band : Object.keys(s.forecast[0].bands).pop()) : null;
    const nav = h("div", { class: "series-nav", role: "group", "aria-label": "Series" },
      parentOf.has(id) ? h("button", { type: "button", class: "secondary", onclick: () => show(parentOf.get(id)) }, `↑ ${parentOf.get(id)}`) : null,
      h("button", { type: "button", class: "secondary", "aria-pressed": "true" }, id),
      (s.children || []).filter(c => byId.has(c)).map(c => h("button", { type: "button", class: "secondary", "aria-pressed": "false", onclick: () => show(c) }, `↓ ${c}`)));
    const chart = lineChart({
      title: `${id}${s.level ? ` (${s.level})` : ""}`,
      history: s.history.map(p => ({ x: p.ds, y: p.y })),
      forecast: s.forecast.map(p => ({ x: p.ds, y: p.yhat, lo: bandKey ? p.bands[bandKey][0] : null, hi: bandKey ? p.bands[bandKey][1] : null })),
      anomalies: s.anomalies.map(a => ({ x: a.ds, y: a.y, text: `${a.kind}, expected ${fmtNumber(a.expected, 1)}` })),
    });
    clear(holder, h("p", { class: "muted" }, "Drill down: ", `${series.length} series`, bandKey ? ` · band ${bandKey}%` : ""), nav, chart);
    const focusTarget = nav.querySelector("[aria-pressed=true]");
    if (holder.dataset.shown) focusTarget.focus();
    holder.dataset.shown = id;
  }
  show(series[0].unique_id);
}

async function versionsView(el, ctx) {
  const out = h("div", {});
  el.append(out);
  let versions;
  try { versions = await api("/forecast/versions", { query: { limit: 100 } }); }
  catch (error) { el.append(errorBox(error)); return; }
  clear(out, table([
    { label: "Name", value: v => h("button", { type: "button", class: "secondary", onclick: () => openVersion(v) }, `${v.name} #${v.number}`) },
    { label: "Kind", value: v => v.kind }, { label: "Source", value: v => v.source || "–" },
    { label: "Series", value: v => String(v.meta.n_series ?? "–"), num: true }, { label: "Horizon", value: v => String(v.meta.horizon ?? "–"), num: true },
    { label: "By", value: v => v.created_by }, { label: "Created", value: v => String(v.created_at).slice(0, 16) },
  ], versions.items, { testid: "versions-table", empty: "No saved version yet (run a forecast with a version name, or argentier forecast --save-version)." }));
  const detail = h("div", { "data-testid": "version-detail" });
  el.append(detail);
  async function openVersion(v) {
    clear(detail, h("p", { class: "muted" }, "Loading…"));
    try {
      const full = await api(`/forecast/versions/${encodeURIComponent(v.name)}`, { query: { number: v.number } });
      clear(detail, h("h2", {}, `${full.name} #${full.number}`));
      seriesExplorer(detail, full.series, { band: "95" });
    } catch (error) { clear(detail, errorBox(error)); }
  }
}

async function scenariosView(el, ctx) {
  let scenarios;
  try { scenarios = await api("/forecast/scenarios", { query: { limit: 100 } }); }
  catch (error) { el.append(errorBox(error)); return; }
  if (!scenarios.items.length) { el.append(h("p", { class: "muted" }, "No scenario yet (argentier forecast scenario create, or POST /forecast/scenarios).")); return; }
  const boxes = scenarios.items.map((s, i) => h("label", {}, h("input", { type: "checkbox", name: "scenario", value: s.name, checked: i === 0 }), ` ${s.name}`));
  const seriesInput = h("input", { name: "series", placeholder: "top series", size: 16 });
  const form = h("form", { class: "panel" }, h("fieldset", {}, h("legend", {}, "Scenarios to compare with their base version"), boxes),
    h("div", { class: "row" }, field("Series", seriesInput), h("button", { type: "submit" }, "Compare")));
  const out = h("div", { "data-testid": "scenario-compare" });
  el.append(table([
    { label: "Scenario", value: s => s.name }, { label: "Base version id", value: s => String(s.version_id), num: true },
    { label: "Overrides", value: s => s.overrides.map(o => `${o.kind}${o.change ? ` ${o.change > 0 ? "+" : ""}${(o.change * 100).toFixed(1)}%` : ""}${Object.keys(o.where || {}).length ? ` where ${Object.entries(o.where).map(([k, v]) => `${k}=${v}`).join(", ")}` : ""}`).join("; ") },
    { label: "By", value: s => s.created_by },
  ], scenarios.items, { caption: "Scenarios" }), form, out);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const names = [...form.querySelectorAll("input[name=scenario]:checked")].map(b => b.value);
    if (!names.length) { clear(out, errorBox("Choose at least one scenario.")); return; }
    try {
      const result = await api("/forecast/scenarios/compare", { query: { names, series: seriesInput.value || null } });
      const valueColumns = result.columns.filter(c => c !== "ds" && !c.includes(" vs "));
      clear(out, lineChart({
        title: `Scenarios against the base${result.series ? ` for ${result.series}` : ""}`,
        lines: valueColumns.map(c => ({ label: c, points: result.rows.filter(r => r[c] !== null && !Number.isNaN(Date.parse(r.ds))).map(r => ({ x: r.ds, y: r[c] })) })),
      }), table(result.columns.map(c => ({ label: c, value: r => (typeof r[c] === "number" ? fmtNumber(r[c], 1) : String(r[c] ?? "–")), num: c !== "ds" })), result.rows, { testid: "compare-table" }));
    } catch (error) { clear(out, errorBox(error)); }
  });
}

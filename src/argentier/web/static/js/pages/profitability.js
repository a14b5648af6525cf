// Profitability: the contribution margin waterfall (revenue down to contribution, cost by cost) by any grouping,
// and the variance bridge between two periods (price, volume, mix and cost-rate effects).

import { api } from "../api.js";
import { waterfallChart } from "../charts.js";
import { clear, errorBox, field, fmtNumber, fmtPercent, h, table, tabs } from "../dom.js";
import { datasetSelect, listDatasets } from "../jobs.js";

const money = v => fmtNumber(Number(v), 0);

export async function render(root, ctx) {
  root.append(h("h1", {}, "Profitability"));
  const datasets = await listDatasets(true);
  const sales = datasetSelect(datasets, { label: "Sales lines", name: "sales", columns: ["sku"], prefer: "sales" });
  const costs = datasetSelect(datasets, { label: "Unit costs", name: "costs", columns: ["sku"], prefer: "cost" });
  root.append(h("div", { class: "panel row" }, sales.element, costs.element));
  const pair = () => ({ dataset_id: sales.select.value, costs_dataset_id: costs.select.value });
  const [list, panel] = tabs(["Margin waterfall", "Variance bridge"], (name, el) => {
    if (name === "Margin waterfall") marginsView(el, pair);
    else bridgeView(el, pair);
  }, Number(ctx.params.get("tab") || 0));
  root.append(list, panel);
}

function marginsView(el, pair) {
  const by = h("select", { name: "by" }, ["category", "region", "channel", "sku", "month"].map(v => h("option", { value: v }, v)));
  const period = h("input", { name: "period", size: 22, placeholder: "all, or 2024, 2024-Q2, 2024-03" });
  const form = h("form", { class: "panel" }, h("div", { class: "row" }, field("Group by", by), field("Period", period), h("button", { type: "submit" }, "Show margins")));
  const out = h("div", { "data-testid": "margins-result" });
  form.addEventListener("submit", async event => {
    event.preventDefault();
    clear(out, h("p", { class: "muted" }, "Computing…"));
    try {
      const report = await api("/profitability/margins", { method: "POST", json: { ...pair(), by: [by.value], period: period.value || null, limit: 50 } });
      const t = report.total;
      clear(out,
        h("p", {}, `Total: revenue ${money(t.net_revenue)}, contribution ${money(t.contribution)} (${fmtPercent(t.margin_rate, 1)}), ${fmtNumber(Number(t.units))} units.`),
        waterfallChart(report.bars.map(b => ({ label: b.label, value: Number(b.amount), total: b.kind === "total" })), { title: "From net revenue to contribution" }),
        table([
          { label: by.value, value: r => Object.values(r.key).join(" / ") || "total" },
          { label: "Units", value: r => fmtNumber(Number(r.units)), num: true },
          { label: "Net revenue", value: r => money(r.net_revenue), num: true },
          { label: "Contribution", value: r => money(r.contribution), num: true },
          { label: "Margin", value: r => fmtPercent(r.margin_rate, 1), num: true },
        ], report.rows, { caption: `${report.n_groups} groups by ${report.by.join(", ")}`, testid: "margins-table" }));
    } catch (error) { clear(out, errorBox(error)); }
  });
  el.append(form, out);
}

function bridgeView(el, pair) {
  const base = h("input", { name: "base_period", required: true, size: 12, value: "2024-Q1" });
  const compare = h("input", { name: "compare_period", required: true, size: 12, value: "2024-Q2" });
  const form = h("form", { class: "panel" }, h("div", { class: "row" }, field("Base period", base), field("Compared period", compare), h("button", { type: "submit" }, "Show bridge")));
  const out = h("div", { "data-testid": "bridge-result" });
  form.addEventListener("submit", async event => {
    event.preventDefault();
    clear(out, h("p", { class: "muted" }, "Computing…"));
    try {
      const bridge = await api("/profitability/variance", { method: "POST", json: { ...pair(), base_period: base.value, compare_period: compare.value } });
      clear(out,
        waterfallChart(bridge.bars.filter(b => b.kind === "total" || Math.abs(Number(b.amount)) >= 0.5).map(b => ({ label: b.label, value: Number(b.amount), total: b.kind === "total" })),
          { title: `Contribution bridge: ${base.value} to ${compare.value}`, zeroBased: false }),
        h("p", { class: "muted" }, "Effects that round to zero are left out of the chart; the table lists every step."),
        table([
          { label: "Step", value: s => s.label }, { label: "Amount", value: s => money(s.amount), num: true }, { label: "Kind", value: s => s.kind },
        ], bridge.steps, { testid: "bridge-table" }));
    } catch (error) { clear(out, errorBox(error)); }
  });
  el.append(form, out);
}

// Planning: agents needed (Erlang C / A), the cheapest shift schedule for daily needs (a solver job), and the
// supply-network simulation comparing contingency plans (a job with progress per replication).

import { api } from "../api.js";
import { barChart } from "../charts.js";
import { clear, errorBox, field, fmtNumber, fmtPercent, h, table, tabs } from "../dom.js";
import { runJob } from "../jobs.js";

export async function render(root, ctx) {
  root.append(h("h1", {}, "Planning"));
  const [list, panel] = tabs(["Staffing", "Shift schedule", "Supply network"], (name, el) => {
    if (name === "Staffing") staffingView(el);
    else if (name === "Shift schedule") scheduleView(el);
    else supplyView(el);
  }, Number(ctx.params.get("tab") || 0));
  root.append(list, panel);
  root.append(h("p", { class: "muted" }, "Peak plans and capital allocation take tables and YAML rules: run them with ", h("code", {}, "argentier plan"), " or ", h("code", {}, "POST /planning/peak"), " and ", h("code", {}, "/planning/capital"), "."));
}

function number(name, value, attrs = {}) {
  return h("input", { name, type: "number", value, step: "any", size: 6, ...attrs });
}

function staffingView(el) {
  const inputs = {
    volume: number("volume", 120, { min: 0, required: true }), interval_minutes: number("interval_minutes", 30, { min: 1 }),
    aht_seconds: number("aht_seconds", 240, { min: 1, required: true }), service_level: number("service_level", 0.8, { min: 0, max: 0.99 }),
    answer_seconds: number("answer_seconds", 20, { min: 0 }), shrinkage: number("shrinkage", 0.3, { min: 0, max: 0.95 }),
    patience_seconds: number("patience_seconds", "", { min: 1, placeholder: "Erlang C" }),
  };
  const labels = { volume: "Contacts per interval", interval_minutes: "Interval (minutes)", aht_seconds: "Handling time (s)", service_level: "Service level", answer_seconds: "Answered within (s)", shrinkage: "Shrinkage", patience_seconds: "Caller patience (s, Erlang A)" };
  const form = h("form", { class: "panel" }, h("div", { class: "row" }, Object.entries(inputs).map(([k, input]) => field(labels[k], input)), h("button", { type: "submit" }, "Compute")));
  const out = h("div", { "data-testid": "staffing-result" });
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const body = Object.fromEntries(Object.entries(inputs).filter(([, i]) => i.value !== "").map(([k, i]) => [k, Number(i.value)]));
    try {
      const r = await api("/planning/staffing", { method: "POST", json: body });
      clear(out, h("dl", { class: "terms panel" },
        h("dt", {}, "Agents on the floor"), h("dd", { "data-testid": "agents" }, String(r.agents)),
        h("dt", {}, "Agents to schedule (with shrinkage)"), h("dd", {}, String(r.scheduled_agents)),
        h("dt", {}, "Model"), h("dd", {}, `${r.model.replace("_", " ")}, binding target: ${r.binding.replace("_", " ")}`),
        h("dt", {}, "Traffic"), h("dd", {}, `${fmtNumber(r.traffic_erlangs, 2)} erlangs`),
        h("dt", {}, "Service level"), h("dd", {}, fmtPercent(r.service_level, 1)),
        h("dt", {}, "Average speed of answer"), h("dd", {}, `${fmtNumber(r.average_speed_of_answer, 1)} s`),
        h("dt", {}, "Occupancy"), h("dd", {}, fmtPercent(r.occupancy, 1)),
        h("dt", {}, "Abandonment"), h("dd", {}, fmtPercent(r.abandonment, 1))));
    } catch (error) { clear(out, errorBox(error)); }
  });
  el.append(form, out);
}

function scheduleView(el) {
  const needs = h("input", { name: "needs", value: "12, 10, 10, 11, 14, 18, 16", size: 30, required: true, pattern: "\\s*\\d+(\\s*,\\s*\\d+)*\\s*" });
  const workDays = number("work_days", 5, { min: 1, max: 7 });
  const form = h("form", { class: "panel" }, h("div", { class: "row" }, field("People needed per day (a repeating week)", needs), field("Consecutive work days", workDays), h("button", { type: "submit" }, "Solve")));
  const progress = h("div", {});
  const out = h("div", { "data-testid": "schedule-result" });
  form.addEventListener("submit", async event => {
    event.preventDefault();
    clear(out);
    try {
      const body = { needs: needs.value.split(",").map(v => Number(v.trim())), work_days: Number(workDays.value) };
      const r = await runJob(() => api("/planning/schedule", { method: "POST", json: body }), progress);
      clear(out, h("p", {}, `${r.status}: ${r.headcount} people, cost ${r.cost} (bound ${r.best_bound}), solved in ${fmtNumber(r.solve_seconds, 2)} s.`),
        table([{ label: "Shift pattern", value: ([p]) => p }, { label: "People", value: ([, n]) => String(n), num: true }], Object.entries(r.people), { caption: "People per pattern", testid: "pattern-table" }),
        barChart(r.periods.map(p => ({ label: `${p.period} (needs ${p.required})`, value: p.covered })), { title: "People covering each day", format: v => fmtNumber(v) }),
        table([
          { label: "Day", value: p => p.period }, { label: "Required", value: p => String(p.required), num: true },
          { label: "Covered", value: p => String(p.covered), num: true }, { label: "Surplus", value: p => String(p.surplus), num: true },
          { label: "Shortfall", value: p => String(p.shortfall), num: true },
        ], r.periods, { testid: "coverage-table" }));
    } catch (error) { clear(out, errorBox(error)); }
  });
  el.append(form, progress, out);
}

async function supplyView(el) {
  const config = h("textarea", { name: "config", rows: 14, required: true, spellcheck: "false" });
  const replications = number("replications", 30, { min: 1, max: 100000 });
  const form = h("form", { class: "panel" }, field("Supply network (YAML)", config, "Starts from the shipped example network."), h("div", { class: "row" }, field("Replications", replications), h("button", { type: "submit" }, "Simulate")));
  const progress = h("div", {});
  const out = h("div", { "data-testid": "supply-result" });
  el.append(form, progress, out);
  try { config.value = (await api("/planning/examples")).configs["supply_network.yaml"]; }
  catch (error) { out.append(errorBox(error)); }
  form.addEventListener("submit", async event => {
    event.preventDefault();
    clear(out);
    try {
      const r = await runJob(() => api("/planning/supply", { method: "POST", json: { config: config.value, replications: Number(replications.value) } }), progress);
      const ci = m => `${fmtPercent(m.mean, 1)} (${fmtPercent(m.low, 1)} to ${fmtPercent(m.high, 1)})`;
      clear(out, h("p", {}, `${r.replications} replications, seed ${r.seed}.`),
        table([
          { label: "Plan", value: p => p.plan }, { label: "Fill rate (95% interval)", value: p => ci(p.fill_rate) },
          { label: "Lost units", value: p => fmtNumber(p.lost_units.mean), num: true },
          { label: "Total cost", value: p => fmtNumber(Number(p.total_cost.mean)), num: true },
          { label: "Cost change vs baseline", value: p => (p.cost_change ? fmtNumber(Number(p.cost_change.mean)) : "–"), num: true },
        ], r.plans, { caption: "Contingency plans", testid: "supply-table" }),
        barChart(r.plans.map(p => ({ label: p.plan, value: p.fill_rate.mean * 100 })), { title: "Mean fill rate by plan", max: 100, format: v => `${v.toFixed(1)}%`, unit: "%" }));
    } catch (error) { clear(out, errorBox(error)); }
  });
}

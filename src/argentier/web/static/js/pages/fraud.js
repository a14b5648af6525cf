// Fraud: the alert queue (fraud.alert findings: score, decision, reasons, fired rules) with verdicts
// (approve = fraud confirmed, reject = genuine), the registered models with their metrics, and metrics by threshold.

import { api, hasRole } from "../api.js";
import { barChart } from "../charts.js";
import { announce, badge, clear, errorBox, field, fmtNumber, fmtPercent, h, pager, table } from "../dom.js";
import { listDatasets } from "../jobs.js";

const PAGE = 20;

export async function render(root, ctx) {
  root.append(h("h1", {}, "Fraud alerts"));
  const status = ctx.params.get("status") || "pending";
  const offset = Number(ctx.params.get("offset") || 0);
  const select = h("select", { name: "status" }, ["pending", "approved", "edited", "rejected"].map(v => h("option", { value: v, selected: v === status }, v)));
  select.addEventListener("change", () => ctx.navigate(`#/fraud?status=${select.value}`));
  const queue = h("section", { "aria-labelledby": "queue-title" }, h("h2", { id: "queue-title" }, "Alert queue"), h("div", { class: "row" }, field("Show alerts", select)));
  const list = h("div", {});
  queue.append(list);
  const models = h("section", { "aria-labelledby": "models-title" }, h("h2", { id: "models-title" }, "Models"));
  const modelsBody = h("div", {});
  models.append(modelsBody);
  root.append(queue, models);
  // A verdict changes the queue and the precision among reviewed alerts: both are drawn again.
  const refresh = async () => {
    await renderQueue(list, ctx, status, offset, refresh);
    const fresh = h("div", {});
    await renderModels(fresh, ctx);
    modelsBody.replaceChildren(...fresh.childNodes);
  };
  await Promise.all([renderQueue(list, ctx, status, offset, refresh), renderModels(modelsBody, ctx)]);
}

async function renderQueue(list, ctx, status, offset, refresh) {
  const native = ctx.offers(["/fraud/alerts"]);
  let page;
  try {
    page = native
      ? await api("/fraud/alerts", { query: { status, limit: PAGE, offset } })
      : await api("/review/findings", { query: { kind: "fraud.alert", status, limit: PAGE, offset } });
  } catch (error) { clear(list, errorBox(error)); return; }
  const alerts = page.items.map(item => (native ? item : fromFinding(item)));
  clear(list, alerts.length ? alerts.map(alert => alertView(alert, ctx, refresh, native)) : h("p", { class: "muted", "data-testid": "no-alerts" }, `No ${status} alerts.`),
    pager(page, next => ctx.navigate(`#/fraud?status=${status}&offset=${next}`), "Alerts"));
}

// A fraud.alert review finding in the shape of GET /fraud/alerts.
function fromFinding(finding) {
  const p = finding.current_payload;
  return { ...p, finding_id: finding.id, transaction_id: finding.subject.id, model_version: finding.producer.version, status: finding.status, verdict: finding.latest_verdict };
}

function alertView(alert, ctx, refresh, native) {
  const controls = h("div", {});
  if (hasRole(ctx.user, "analyst") && alert.status === "pending") controls.append(verdictButtons(alert, refresh, native));
  else controls.append(h("div", { class: "actions" }, badge(alert.status), alert.verdict ? h("span", { class: "muted" }, ` by ${alert.verdict.reviewer}${alert.verdict.reason ? `: ${alert.verdict.reason}` : ""}`) : null));
  return h("article", { class: "finding", "data-testid": "fraud-alert", "aria-label": `Alert on transaction ${alert.transaction_id}` },
    h("header", {}, h("strong", {}, `Transaction ${alert.transaction_id}`), h("span", {}, badge(alert.decision), ` score ${fmtNumber(alert.score)} / 1000`)),
    h("p", { class: "muted" }, `Customer ${alert.customer_id} · ${alert.timestamp} · model ${alert.model_version}`),
    (alert.reasons || []).length ? h("div", {}, h("strong", {}, "Why: "), h("ul", {}, alert.reasons.map(r => h("li", {}, r)))) : null,
    (alert.rules || []).length ? h("p", {}, h("strong", {}, "Rules fired: "), alert.rules.join(", ")) : null,
    controls);
}

// Case verdicts: "fraud" approves the alert, "genuine" rejects it; through /fraud/alerts/{id}/verdict when the
// server offers it (it also feeds the live scorer), else straight through the review endpoints.
function verdictButtons(alert, refresh, native) {
  const area = h("div", { "aria-live": "polite" });
  const subject = `alert on ${alert.transaction_id}`;
  async function send(verdict, reason) {
    try {
      if (native) await api(`/fraud/alerts/${alert.finding_id}/verdict`, { method: "POST", json: { verdict, reason: reason || null } });
      else if (verdict === "fraud") await api(`/review/findings/${alert.finding_id}/approve`, { method: "POST", json: { reason: reason || null } });
      else await api(`/review/findings/${alert.finding_id}/reject`, { method: "POST", json: { reason: reason || "genuine transaction" } });
      announce(`${subject}: ${verdict}`);
      await refresh();
    } catch (error) { clear(area, errorBox(error)); }
  }
  const reason = h("input", { name: "reason", size: 40, placeholder: "optional" });
  return h("div", {}, h("div", { class: "actions" }, badge(alert.status), field("Reason", reason),
    h("button", { type: "button", "aria-label": `Confirm fraud: ${subject}`, onclick: () => send("fraud", reason.value) }, "Confirm fraud"),
    h("button", { type: "button", class: "secondary", "aria-label": `Genuine: ${subject}`, onclick: () => send("genuine", reason.value) }, "Genuine")), area);
}

async function renderModels(section, ctx) {
  let models, metrics = null;
  try {
    models = await api("/fraud/models");
    if (models.length && ctx.offers(["/fraud/metrics"])) {
      const champion = models.find(m => m.status === "champion") || models[0];
      metrics = await api("/fraud/metrics", { query: { model: champion.name } });
    }
  } catch (error) { section.append(errorBox(error)); return; }
  if (!models.length) { section.append(h("p", { class: "muted" }, "No model registered yet (argentier fraud models register).")); return; }
  const validation = m => (m.metrics && m.metrics.validation) || {};
  section.append(table([
    { label: "Name", value: m => m.name }, { label: "Version", value: m => m.version }, { label: "Status", value: m => badge(m.status) },
    { label: "Validation AUC", value: m => fmtNumber(validation(m).auc, 3), num: true },
    { label: "Validation AP", value: m => fmtNumber(validation(m).average_precision, 3), num: true },
    { label: "Registered", value: m => String(m.created_at || "").slice(0, 10) },
  ], models, { caption: "Registered models", testid: "fraud-models" }));
  for (const model of models.filter(m => m.metrics && m.metrics.evaluations)) {
    const rows = Object.entries(model.metrics.evaluations).map(([period, e]) => ({ period, ...e }));
    section.append(h("h3", {}, `${model.name} ${model.version}: evaluations`), table([
      { label: "Period", value: r => r.period }, { label: "Transactions", value: r => fmtNumber(r.transactions), num: true },
      { label: "Frauds", value: r => fmtNumber(r.frauds), num: true }, { label: "AUC", value: r => fmtNumber(r.auc, 3), num: true },
      { label: "AP", value: r => fmtNumber(r.average_precision, 3), num: true },
      { label: "Card precision@100", value: r => fmtNumber(r.card_precision_at_100, 3), num: true },
      { label: "Recall at 1% FPR", value: r => fmtPercent(r.recall_at_1pct_fpr, 1), num: true },
      { label: "Recall at 5% FPR", value: r => fmtPercent(r.recall_at_5pct_fpr, 1), num: true },
    ], rows, { testid: "fraud-evaluations" }));
  }
  section.append(h("h3", {}, "Metrics by threshold"));
  if (!metrics) { section.append(h("p", { class: "muted", "data-testid": "thresholds-unavailable" }, "This server does not offer metrics by threshold yet.")); return; }
  const reviewed = metrics.reviewed_alerts;
  if (reviewed.thresholds) section.append(thresholdTable(reviewed.thresholds, `Among the ${reviewed.count} reviewed alerts (verdicts as labels)`, "fraud-thresholds"));
  else section.append(h("p", { class: "muted" }, "No reviewed alert yet: verdicts on the queue above give precision by threshold."));
  section.append(datasetThresholds(metrics.model, metrics.versions));
}

function thresholdTable(choice, caption, testid) {
  const rows = choice.rows || [];
  return h("div", {}, table([
    { label: "Threshold", value: r => fmtNumber(r.threshold), num: true },
    { label: "Alerts", value: r => fmtNumber(r.alerts), num: true },
    { label: "Alerts per day", value: r => fmtNumber(r.alerts_per_day, 1), num: true },
    { label: "Precision", value: r => fmtPercent(r.precision, 1), num: true },
    { label: "Recall", value: r => fmtPercent(r.recall, 1), num: true },
    { label: "False-positive rate", value: r => fmtPercent(r.false_positive_rate, 2), num: true },
  ], rows, { caption, testid }),
  choice.chosen ? h("p", {}, `Lowest threshold within the budget: ${fmtNumber(choice.chosen.threshold)}.`) : null,
  rows.some(r => r.recall !== null) ? barChart(rows.filter(r => r.recall !== null).map(r => ({ label: `≥ ${fmtNumber(r.threshold)}`, value: r.recall * 100 })), { title: "Recall by threshold", max: 100, format: v => `${v.toFixed(0)}%`, unit: "%" }) : null);
}

// The champion scored on a labelled dataset: precision, recall, FPR and alerts per day at each threshold.
function datasetThresholds(model, versions) {
  const out = h("div", { "data-testid": "dataset-thresholds" });
  const form = h("form", { class: "panel" });
  const dataset = h("input", { name: "dataset_id", required: true, size: 34, placeholder: "id of a labelled transactions dataset" });
  const from = h("input", { name: "from", type: "date", required: true });
  const to = h("input", { name: "to", type: "date", required: true });
  const budget = h("input", { name: "max_alerts_per_day", type: "number", min: 0, step: 1, size: 6 });
  // Start from the champion's latest recorded evaluation period ("2018-05-02..2018-05-15").
  const champion = versions.find(v => v.status === "champion");
  const periods = Object.keys((champion && champion.metrics && champion.metrics.evaluations) || {}).filter(k => /^\d{4}-\d\d-\d\d\.\.\d{4}-\d\d-\d\d$/.test(k));
  if (periods.length) [from.value, to.value] = periods[periods.length - 1].split("..");
  form.append(h("h3", {}, "Score a labelled dataset"), h("div", { class: "row" }, field("Dataset id", dataset), field("From", from), field("To", to), field("Alert budget per day", budget), h("button", { type: "submit" }, "Measure")));
  listDatasets().then(items => {
    const labelled = items.find(d => d.columns.some(c => c.name === "is_fraud") || d.name.includes("transactions"));
    if (labelled && !dataset.value) dataset.value = labelled.id;
  }).catch(() => {});
  form.addEventListener("submit", async event => {
    event.preventDefault();
    clear(out, h("p", { class: "muted" }, "Scoring…"));
    try {
      const result = await api("/fraud/metrics", { query: { model, dataset_id: dataset.value, from: from.value, to: to.value, max_alerts_per_day: budget.value || null } });
      const d = result.dataset;
      clear(out, h("p", {}, `${d.dataset.name}, ${d.from} to ${d.to}, champion ${d.version}: AUC ${fmtNumber(d.evaluation.auc, 3)}, AP ${fmtNumber(d.evaluation.average_precision, 3)}.`),
        thresholdTable(d.thresholds, "Champion on the dataset", "dataset-threshold-table"));
    } catch (error) { clear(out, errorBox(error)); }
  });
  return h("div", {}, form, out);
}

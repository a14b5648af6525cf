// Review: the queue of pending findings of any kind, and acceptance rates per kind, producer version and ISO
// week (GET /review/stats).

import { api } from "../api.js";
import { barChart } from "../charts.js";
import { clear, errorBox, field, fmtNumber, fmtPercent, h, pager, table } from "../dom.js";
import { jsonEditor, reviewControls } from "../review.js";
import { passageLink } from "./documents.js";

const COLUMNS = [
  { label: "Total", value: r => String(r.total), num: true },
  { label: "Pending", value: r => String(r.pending), num: true },
  { label: "Approved", value: r => String(r.approved), num: true },
  { label: "Edited", value: r => `${r.edited} (${r.edited_lightly} light)`, num: true },
  { label: "Rejected", value: r => String(r.rejected), num: true },
  { label: "Acceptance", value: r => fmtPercent(r.acceptance_rate), num: true },
  { label: "Median time to review", value: r => duration(r.median_seconds_to_review), num: true },
];

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  if (seconds < 120) return `${fmtNumber(seconds)} s`;
  if (seconds < 7200) return `${fmtNumber(seconds / 60)} min`;
  return `${fmtNumber(seconds / 3600, 1)} h`;
}

export async function render(root, ctx) {
  root.append(h("h1", {}, "Review queue and statistics"));
  const queue = h("section", { "aria-labelledby": "queue-title", "data-testid": "review-queue" });
  const statistics = h("section", { "aria-labelledby": "stats-title" });
  root.append(queue, statistics);
  let stats;
  try {
    stats = await api("/review/stats", { query: { kind: ctx.params.get("kind"), since: ctx.params.get("since") ? `${ctx.params.get("since")}T00:00:00Z` : null } });
  } catch (error) { root.append(errorBox(error)); return; }
  await renderQueue(queue, ctx, stats);

  const kind = h("input", { name: "kind", value: ctx.params.get("kind") || "", placeholder: "all kinds, e.g. regwatch.summary" });
  const since = h("input", { name: "since", type: "date", value: ctx.params.get("since") || "" });
  const form = h("form", { class: "panel" }, h("div", { class: "row" }, field("Statistics of kind", kind), field("Since", since), h("button", { type: "submit" }, "Show")));
  form.addEventListener("submit", event => {
    event.preventDefault();
    const params = new URLSearchParams();
    if (kind.value) params.set("kind", kind.value);
    if (since.value) params.set("since", since.value);
    ctx.navigate(`#/review?${params}`);
  });
  const o = stats.overall;
  statistics.append(h("h2", { id: "stats-title" }, "Acceptance statistics"), form,
    h("div", { class: "cards", role: "group", "aria-label": "Overall" },
      card(fmtPercent(o.acceptance_rate), "accepted (approved or lightly edited)", "acceptance-overall"),
      card(String(o.reviewed), `reviewed of ${o.total}`),
      card(String(o.pending), "pending"),
      card(duration(o.median_seconds_to_review), "median time to review")),
    h("p", { class: "muted" }, `An edit counts as accepted when it changes at most ${fmtPercent(stats.light_edit_threshold)} of the text.`));
  const rated = stats.by_kind.filter(r => r.acceptance_rate !== null);
  if (rated.length) {
    statistics.append(barChart(rated.map(r => ({ label: r.kind, value: r.acceptance_rate * 100 })), { title: "Acceptance rate by kind", unit: "%", max: 100, format: v => `${v.toFixed(0)}%` }));
  }
  statistics.append(h("h3", {}, "By kind"), table([{ label: "Kind", value: r => r.kind }, ...COLUMNS], stats.by_kind, { testid: "stats-by-kind", empty: "No findings yet." }),
    h("h3", {}, "By producer version"), table([{ label: "Kind", value: r => r.kind }, { label: "Model", value: r => r.model || "–" }, { label: "Version", value: r => r.version || "–" }, ...COLUMNS], stats.by_version, { testid: "stats-by-version" }),
    h("h3", {}, "By week"), table([{ label: "Week", value: r => r.week }, { label: "Kind", value: r => r.kind }, ...COLUMNS], stats.by_week, { testid: "stats-by-week" }));
}

function card(figure, label, testid) {
  return h("div", { class: "card", "data-testid": testid }, h("div", { class: "figure" }, figure), h("div", { class: "label" }, label));
}

// The pending findings of one kind, with approve / edit (JSON) / reject: the queue for kinds without a page of
// their own (forecast anomalies, contract clauses and terms, ...).
async function renderQueue(section, ctx, filtered) {
  const stats = ctx.params.get("kind") ? await api("/review/stats") : filtered;
  const kinds = stats.by_kind.filter(r => r.pending > 0).map(r => r.kind);
  const kind = ctx.params.get("kind") || kinds[0];
  const offset = Number(ctx.params.get("offset") || 0);
  clear(section, h("h2", { id: "queue-title" }, "Waiting for review"));
  if (!kind) { section.append(h("p", { class: "muted" }, "Nothing is waiting for review.")); return; }
  const list = h("div", {});
  const choose = h("select", { name: "queue-kind" }, [...new Set([...kinds, kind])].map(k => h("option", { value: k, selected: k === kind }, k)));
  choose.addEventListener("change", () => ctx.navigate(`#/review?kind=${encodeURIComponent(choose.value)}`));
  section.append(h("div", { class: "row" }, field("Kind", choose)), list);
  const refresh = async () => {
    let page;
    try { page = await api("/review/findings", { query: { kind, status: "pending", limit: 10, offset } }); }
    catch (error) { clear(list, errorBox(error)); return; }
    clear(list, page.items.length ? page.items.map(f => findingCard(f, ctx, refresh)) : h("p", { class: "muted" }, `No pending ${kind} finding.`),
      pager(page, next => ctx.navigate(`#/review?kind=${encodeURIComponent(kind)}&offset=${next}`), "Findings"));
  };
  await refresh();
}

function summary(payload) {
  // Offsets are shown as the evidence links below, not as numbers.
  return Object.entries(payload).filter(([k, v]) => (v === null || typeof v !== "object") && k !== "start" && k !== "end").slice(0, 8)
    .map(([k, v]) => h("div", {}, h("strong", {}, `${k.replace(/_/g, " ")}: `), String(v)));
}

function findingCard(finding, ctx, refresh) {
  const subject = `${finding.kind} on ${finding.subject.type} ${finding.subject.id}`;
  return h("article", { class: "finding", "data-testid": "queue-finding", "aria-label": subject },
    h("header", {}, h("strong", {}, subject), h("span", { class: "muted" }, `${finding.producer.module} ${finding.producer.version}${finding.confidence !== null ? ` · confidence ${fmtNumber(finding.confidence, 2)}` : ""}`)),
    summary(finding.current_payload),
    finding.evidence.length && finding.document_id ? h("details", {}, h("summary", {}, `Evidence (${finding.evidence.length})`),
      finding.evidence.slice(0, 3).map(e => h("blockquote", { class: "quote" }, e.quote, " ", passageLink(finding.document_id, e.start, e.end, "open at passage")))) : null,
    reviewControls(finding, ctx.user, { editor: jsonEditor, onDone: refresh, labels: { subject } }));
}

// Home: what needs review today (pending findings by kind), the latest regulatory updates, open fraud alerts.

import { api } from "../api.js";
import { errorBox, fmtDate, h, table } from "../dom.js";

const KIND_PAGES = { regwatch: "#/regwatch", fraud: "#/fraud" };

// Regulatory and fraud findings have their own pages; every other kind is reviewed in the generic queue.
export function pageForKind(kind) {
  return KIND_PAGES[kind.split(".")[0]] || `#/review?kind=${encodeURIComponent(kind)}`;
}

export async function render(root, ctx) {
  root.append(h("h1", {}, "What needs review today"));
  const [stats, updates] = await Promise.allSettled([
    api("/review/stats"),
    ctx.offers(["/regwatch/updates"]) ? api("/regwatch/updates", { query: { limit: 5 } }) : Promise.resolve(null),
  ]);
  if (stats.status === "rejected") { root.append(errorBox(stats.reason)); return; }
  const byKind = stats.value.by_kind;
  const pending = stats.value.overall.pending;
  const fraud = byKind.filter(row => row.kind.startsWith("fraud.")).reduce((sum, row) => sum + row.pending, 0);
  const regwatch = byKind.filter(row => row.kind.startsWith("regwatch.")).reduce((sum, row) => sum + row.pending, 0);
  root.append(h("section", { class: "cards", "aria-label": "Review counts" },
    card(pending, "findings waiting for review", "#/review", "pending-total"),
    card(regwatch, "regulatory findings to review", "#/regwatch", "pending-regwatch"),
    card(fraud, "open fraud alerts", "#/fraud", "fraud-alerts")));

  root.append(h("h2", {}, "Pending findings by kind"));
  const rows = byKind.filter(row => row.pending > 0).sort((a, b) => b.pending - a.pending);
  root.append(table([
    { label: "Kind", value: row => h("a", { href: pageForKind(row.kind) }, row.kind) },
    { label: "Pending", value: row => String(row.pending), num: true },
    { label: "Reviewed", value: row => String(row.reviewed), num: true },
  ], rows, { empty: "Nothing is waiting for review.", testid: "pending-by-kind" }));

  root.append(h("h2", {}, "Latest regulatory updates"));
  if (updates.status === "rejected") root.append(errorBox(updates.reason));
  else if (updates.value === null) root.append(h("p", { class: "muted" }, "The regulatory watch is not available on this server."));
  else root.append(table([
    { label: "Title", value: u => h("a", { href: `#/documents/${u.document_id}` }, u.title) },
    { label: "Jurisdiction", value: u => u.jurisdiction },
    { label: "Published", value: u => fmtDate(u.published_at || u.retrieved_at) },
  ], updates.value.items, { empty: "No regulatory updates yet.", testid: "latest-updates" }));
}

function card(figure, label, href, testid) {
  return h("a", { class: "card", href, "data-testid": testid },
    h("div", { class: "figure" }, String(figure)), h("div", { class: "label" }, label));
}

// Regulatory watch: groups of related updates, each update's title, summary and impact findings with
// approve / edit / reject; analysts add notices, watch sources and fetch them (a background job with progress).

import { api, hasRole } from "../api.js";
import { announce, badge, clear, errorBox, field, fmtDate, h, okBox, pager } from "../dom.js";
import { reviewControls } from "../review.js";
import { passageLink } from "./documents.js";

const KINDS = ["regwatch.title", "regwatch.summary", "regwatch.impact"];
const PAGE = 10;

export async function render(root, ctx) {
  root.append(h("h1", {}, "Regulatory watch"));
  if (hasRole(ctx.user, "analyst")) root.append(analystTools(ctx));
  const list = h("section", { "aria-label": "Groups of related updates" });
  root.append(list);
  await renderGroups(list, ctx, Number(ctx.params.get("offset") || 0));
}

async function findingsByDocument() {
  const byDoc = new Map();
  const pages = await Promise.all(KINDS.map(kind => api("/review/findings", { query: { kind, limit: 1000 } })));
  for (const finding of pages.flatMap(p => p.items)) {
    const entry = byDoc.get(finding.document_id) || {};
    entry[finding.kind] = finding;  // the latest finding of each kind wins
    byDoc.set(finding.document_id, entry);
  }
  return byDoc;
}

async function renderGroups(list, ctx, offset) {
  let groups, findings, digest;
  try {
    [groups, findings, digest] = await Promise.all([
      api("/regwatch/groups", { query: { limit: PAGE, offset } }), findingsByDocument(), api("/regwatch/digest"),
    ]);
  } catch (error) { clear(list, errorBox(error)); return; }
  const entries = new Map(digest.entries.map(e => [e.update_id, e]));
  if (!groups.items.length) { clear(list, h("p", { class: "muted" }, "No regulatory updates yet: add a source or a notice.")); return; }
  const refresh = () => renderGroups(list, ctx, offset);
  clear(list, groups.items.map(group => h("article", { class: "panel group", "data-testid": "reg-group", "aria-labelledby": `group-${group.id}` },
    h("h2", { id: `group-${group.id}` }, group.canonical_title),
    h("p", { class: "muted" }, `${group.members.length} update${group.members.length === 1 ? "" : "s"} · ${group.jurisdictions.join(", ")}`),
    group.timeline.map(item => updateView(item, findings.get(item.document_id) || {}, entries.get(item.update_id), ctx, refresh)))),
  pager(groups, next => ctx.navigate(`#/regwatch?offset=${next}`), "Groups"));
}

function updateView(item, findings, entry, ctx, refresh) {
  const impact = entry && entry.impact;
  return h("section", { class: "update", "data-testid": "reg-update", "aria-label": item.title },
    h("h3", {}, h("a", { href: `#/documents/${item.document_id}` }, item.title), ` `, h("span", { class: "muted" }, `· ${item.jurisdiction} · v${item.version} · ${fmtDate(item.published)}`),
      impact ? [" ", badge(impact.severity, `${impact.severity} impact`)] : null),
    impact && impact.effective_date ? h("p", {}, `Effective ${impact.effective_date}. `, impact.severity_rule ? h("span", { class: "muted" }, `(${impact.severity_rule})`) : null) : null,
    KINDS.map(kind => findings[kind] ? findingView(findings[kind], item.title, ctx, refresh) : null),
    KINDS.some(kind => findings[kind]) ? null : h("p", { class: "muted" }, "Not analysed yet."));
}

const EDITORS = {
  "regwatch.title": finding => {
    const input = h("input", { name: "title", value: finding.current_payload.title || "", size: 60, required: true });
    return { element: field("Title", input), payload: () => ({ ...finding.current_payload, title: input.value }) };
  },
  "regwatch.summary": finding => {
    const text = h("textarea", { name: "summary", rows: 5, required: true });
    text.value = finding.current_payload.summary || "";
    return { element: field("Summary", text), payload: () => ({ ...finding.current_payload, summary: text.value }) };
  },
  "regwatch.impact": finding => {
    const p = finding.current_payload;
    const severity = h("select", { name: "severity" }, ["low", "medium", "high"].map(v => h("option", { value: v, selected: v === p.severity }, v)));
    const effective = h("input", { name: "effective_date", type: "date", value: p.effective_date || "" });
    return { element: h("div", { class: "row" }, field("Severity", severity), field("Effective date", effective)),
      payload: () => ({ ...p, severity: severity.value, effective_date: effective.value || null }) };
  },
};

function findingView(finding, updateTitle, ctx, refresh) {
  const p = finding.current_payload;
  const label = { "regwatch.title": "Title", "regwatch.summary": "Summary", "regwatch.impact": "Impact" }[finding.kind];
  let body;
  if (finding.kind === "regwatch.title") body = h("p", {}, p.title);
  else if (finding.kind === "regwatch.summary") body = h("p", {}, p.summary);
  else body = h("div", {},
    h("p", {}, `Severity: ${p.severity || "–"}`, p.effective_date ? ` · effective ${p.effective_date}` : ""),
    (p.taxes || []).length ? h("p", {}, "Taxes: ", p.taxes.map(t => `${t.label} (${Math.round(t.confidence * 100)}%)`).join(", ")) : null,
    (p.business_lines || []).length ? h("p", {}, "Business lines: ", p.business_lines.map(t => `${t.label} (${Math.round(t.confidence * 100)}%)`).join(", ")) : null);
  const evidence = finding.evidence.slice(0, 3);
  return h("div", { class: "finding", "data-testid": `finding-${finding.kind}`, "data-finding-id": finding.id },
    h("header", {}, h("strong", {}, label), h("span", { class: "muted" }, `${finding.producer.module} ${finding.producer.version}${finding.producer.model ? ` · ${finding.producer.model}` : ""}`)),
    body,
    evidence.length ? h("details", {}, h("summary", {}, `Evidence (${finding.evidence.length})`),
      evidence.map(e => h("blockquote", { class: "quote" }, e.quote, " ", passageLink(finding.document_id, e.start, e.end, "open at passage")))) : null,
    reviewControls(finding, ctx.user, { editor: EDITORS[finding.kind], onDone: refresh, labels: { subject: `${label} of "${updateTitle}"` } }));
}

function analystTools(ctx) {
  const feedback = h("div", { "aria-live": "polite" });
  const title = h("input", { name: "title", required: true, size: 40 });
  const jurisdiction = h("input", { name: "jurisdiction", required: true, size: 3, maxlength: 2, minlength: 2, value: "EU" });
  const text = h("textarea", { name: "text", required: true, rows: 4 });
  const notice = h("form", { "aria-labelledby": "notice-title" }, h("h3", { id: "notice-title" }, "Add a notice by hand"),
    h("div", { class: "row" }, field("Title", title), field("Jurisdiction (ISO code or EU)", jurisdiction)), field("Text", text),
    h("button", { type: "submit" }, "Add and analyse"));
  notice.addEventListener("submit", async event => {
    event.preventDefault();
    try {
      const outcome = await api("/regwatch/updates", { method: "POST", json: { title: title.value, text: text.value, jurisdiction: jurisdiction.value } });
      clear(feedback, okBox(`${outcome.update.title}: ${outcome.status}, ${outcome.analysed} analysed.`));
      notice.reset();
      announce("Notice added");
      ctx.navigate("#/regwatch");
    } catch (error) { clear(feedback, errorBox(error)); }
  });
  const sources = h("div", {});
  const url = h("input", { name: "url", type: "url", required: true, size: 40, placeholder: "address of an RSS/Atom feed or a page" });
  const sourceJurisdiction = h("input", { name: "jurisdiction", required: true, size: 3, maxlength: 2, minlength: 2 });
  const addSource = h("form", { "aria-labelledby": "source-title" }, h("h3", { id: "source-title" }, "Watch a source"),
    h("div", { class: "row" }, field("Feed or page URL", url), field("Jurisdiction", sourceJurisdiction), h("button", { type: "submit" }, "Watch")));
  addSource.addEventListener("submit", async event => {
    event.preventDefault();
    try {
      await api("/regwatch/sources", { method: "POST", json: { url: url.value, jurisdiction: sourceJurisdiction.value } });
      addSource.reset();
      await listSources(sources);
    } catch (error) { clear(feedback, errorBox(error)); }
  });
  const progress = h("progress", { class: "progress", max: 1, value: 0, hidden: true, "aria-label": "Fetch progress" });
  const fetchButton = h("button", { type: "button", onclick: () => fetchAll(fetchButton, progress, feedback, ctx) }, "Fetch all sources now");
  listSources(sources);
  return h("details", { class: "panel" }, h("summary", {}, "Sources and notices"),
    h("h3", {}, "Watched sources"), sources, h("div", { class: "actions" }, fetchButton), progress, addSource, notice, feedback);
}

async function listSources(el) {
  try {
    const sources = await api("/regwatch/sources");
    clear(el, sources.length ? h("ul", {}, sources.map(src => h("li", {}, `${src.url} · ${src.jurisdiction} · last fetched ${fmtDate(src.last_fetched_at)}${src.last_error ? ` · error: ${src.last_error}` : ""}`))) : h("p", { class: "muted" }, "No sources watched yet."));
  } catch (error) { clear(el, errorBox(error)); }
}

async function fetchAll(button, progress, feedback, ctx) {
  button.disabled = true;
  progress.hidden = false;
  try {
    let job = await api("/regwatch/fetch", { method: "POST" });
    while (job.status === "queued" || job.status === "running") {
      await new Promise(resolve => window.setTimeout(resolve, 400));
      job = await api(`/jobs/${job.id}`);
      if (job.total) { progress.max = job.total; progress.value = job.done; }
      clear(feedback, h("p", { class: "muted" }, job.message || job.status));
    }
    if (job.status === "failed") throw new Error(job.error);
    clear(feedback, okBox(`Fetched: ${job.result.analysed} new update(s) analysed.`));
    ctx.navigate("#/regwatch");
  } catch (error) { clear(feedback, errorBox(error)); }
  finally { button.disabled = false; progress.hidden = true; }
}

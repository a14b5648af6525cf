// Contracts: review a stored document as a contract (clauses highlighted in its text, key terms, playbook
// results; findings recorded for review) and the portfolio table of every reviewed contract.

import { api, hasRole } from "../api.js";
import { badge, clear, errorBox, field, fmtNumber, h, table, tabs } from "../dom.js";

const OUTCOME_CLASS = { compliant: "approved", fallback: "pending", deviation: "rejected", missing: "rejected" };

export async function render(root, ctx) {
  root.append(h("h1", {}, "Contracts"));
  const [list, panel] = tabs(["Review a contract", "Portfolio"], (name, el) => {
    if (name === "Portfolio") portfolioView(el, ctx);
    else reviewView(el, ctx);
  }, Number(ctx.params.get("tab") || 0));
  root.append(list, panel);
}

async function reviewView(el, ctx) {
  let documents;
  try { documents = (await api("/documents", { query: { limit: 1000 } })).items; }
  catch (error) { el.append(errorBox(error)); return; }
  const wanted = Number(ctx.params.get("document")) || null;
  const preferred = documents.find(d => d.id === wanted) || documents.find(d => /agreement|contract/i.test(d.title)) || documents[0];
  const select = h("select", { name: "document", required: true }, documents.map(d => h("option", { value: d.id, selected: preferred && d.id === preferred.id }, `${d.title} (#${d.id})`)));
  const analyst = hasRole(ctx.user, "analyst");
  const record = h("input", { type: "checkbox", name: "record", checked: analyst, disabled: !analyst });
  const playbook = h("textarea", { name: "playbook", rows: 6, placeholder: "Leave empty to check the example playbook" });
  const form = h("form", { class: "panel" },
    analyst ? uploadContract(select) : h("p", { class: "muted" }, "An analyst uploads contracts; you can review the stored ones."),
    h("div", { class: "row" }, field("Contract document", select),
      h("label", {}, record, analyst ? " record the findings in the review queue" : " recording findings needs the analyst role"),
      h("button", { type: "submit" }, "Review")),
    h("details", {}, h("summary", {}, "Use your own playbook (YAML)"), field("Playbook", playbook)));
  const out = h("div", { "data-testid": "contract-review" });
  form.addEventListener("submit", async event => {
    event.preventDefault();
    clear(out, h("p", { class: "muted" }, "Reviewing…"));
    try {
      const result = await api("/contracts/review", { method: "POST", json: { document_id: Number(select.value), record: record.checked, playbook: playbook.value.trim() || null } });
      showReview(out, result);
    } catch (error) { clear(out, errorBox(error)); }
  });
  el.append(form, out);
}

// Upload a contract (POST /documents, collection "contracts") and select it for review.
function uploadContract(select) {
  const file = h("input", { type: "file", name: "contract", accept: ".pdf,.docx,.html,.htm,.md,.txt" });
  const feedback = h("span", { "aria-live": "polite" });
  const button = h("button", { type: "button", class: "secondary", onclick: async () => {
    const chosen = file.files[0];
    if (!chosen) { clear(feedback, "Choose a file first."); return; }
    button.disabled = true;
    clear(feedback, `Uploading ${chosen.name}…`);
    try {
      const outcome = await api("/documents", { method: "POST", body: chosen, query: { filename: chosen.name, collection: "contracts" } });
      const doc = outcome.document;
      if (![...select.options].some(o => Number(o.value) === doc.id)) select.append(h("option", { value: doc.id }, `${doc.title} (#${doc.id})`));
      select.value = String(doc.id);
      clear(feedback, `${chosen.name}: ${outcome.status}; selected for review.`);
    } catch (error) { clear(feedback, errorBox(error)); }
    finally { button.disabled = false; }
  } }, "Upload");
  return h("div", { class: "row" }, field("New contract file", file), button, feedback);
}

// The text cut at every clause boundary, so overlapping clauses still mark each character once.
function highlightedText(text, spans) {
  const cuts = [...new Set([0, text.length, ...spans.flatMap(s => [s.start, s.end])])].filter(c => c >= 0 && c <= text.length).sort((a, b) => a - b);
  const parts = [];
  for (let i = 0; i < cuts.length - 1; i++) {
    const [a, b] = [cuts[i], cuts[i + 1]];
    const covering = spans.filter(s => s.start <= a && s.end >= b);
    if (!covering.length) { parts.push(text.slice(a, b)); continue; }
    parts.push(h("mark", {
      class: `clause${covering.some(s => s.flag) ? " flag" : ""}`, tabindex: "-1", title: covering.map(s => s.label).join("; "),
      dataset: { start: a, end: b },
    }, text.slice(a, b)));
  }
  return parts;
}

function showReview(out, result) {
  const terms = Object.entries(result.terms).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map(v => ({ name, ...(v || {}) })));
  // Clauses, key terms and playbook results are all exact quotes of the text: each is marked where it stands.
  const located = item => Number.isInteger(item.start) && Number.isInteger(item.end) && item.end > item.start;
  const spans = [
    ...result.clauses.filter(located).map(c => ({ start: c.start, end: c.end, label: `${c.category} (${fmtNumber(c.score, 2)})` })),
    ...terms.filter(located).map(t => ({ start: t.start, end: t.end, label: t.name.replace(/_/g, " ") })),
    ...result.playbook.filter(located).map(p => ({ start: p.start, end: p.end, label: `${p.title}: ${p.outcome}`, flag: p.outcome === "deviation" || p.outcome === "missing" })),
  ];
  const text = h("div", { class: "doc-text", tabindex: "0", role: "document", "aria-label": `Text of ${result.document.title} with clauses highlighted`, "data-testid": "contract-text" }, highlightedText(result.text || "", spans));
  function goTo(start, end) {
    const mark = [...text.querySelectorAll("mark")].find(m => Number(m.dataset.start) < end && Number(m.dataset.end) > start);
    if (!mark) return;
    text.querySelectorAll("mark.current").forEach(m => m.classList.remove("current"));
    text.querySelectorAll("mark").forEach(m => { if (Number(m.dataset.start) < end && Number(m.dataset.end) > start) m.classList.add("current"); });
    mark.scrollIntoView({ block: "center" });
    mark.focus({ preventScroll: true });
  }
  const show = (start, end, label) => (start === null || start === undefined ? "–" : h("button", { type: "button", class: "secondary", "aria-label": `Show ${label} in the text`, onclick: () => goTo(start, end) }, "Show"));
  const documentLink = h("a", { href: `#/documents/${result.document.id}` }, result.document.title);
  clear(out,
    h("h2", {}, "Review of ", documentLink),
    h("p", { class: "muted" }, `${result.clauses.length} clauses, playbook "${result.playbook_name || "none"}"${result.finding_ids.length ? `, ${result.finding_ids.length} findings sent to review` : ", nothing recorded"}.`),
    h("div", { class: "grid2" },
      h("div", {}, h("h3", {}, "Text"), text),
      h("div", {},
        h("h3", {}, "Playbook"),
        table([
          { label: "Rule", value: p => p.title }, { label: "Outcome", value: p => badge(OUTCOME_CLASS[p.outcome] || "pending", p.outcome) },
          { label: "Severity", value: p => p.severity || "–" }, { label: "Why", value: p => p.explanation },
          { label: "", value: p => show(p.start, p.end, `rule "${p.title}"`) },
        ], result.playbook, { testid: "playbook-table", empty: "No playbook checked." }),
        h("h3", {}, "Key terms"),
        table([
          { label: "Term", value: t => t.name.replace(/_/g, " ") },
          { label: "Value", value: t => (t.value === null || t.value === undefined ? "–" : `${t.value}${t.unit ? ` ${t.unit}` : ""}`) },
          { label: "", value: t => show(t.start, t.end, `the ${t.name.replace(/_/g, " ")} term`) },
        ], terms.filter(t => t.text), { testid: "terms-table" }),
        h("h3", {}, "Clauses"),
        table([
          { label: "Category", value: c => c.category }, { label: "Score", value: c => fmtNumber(c.score, 2), num: true },
          { label: "", value: c => show(c.start, c.end, `the ${c.category} clause`) },
        ], result.clauses, { testid: "clauses-table" }))));
}

async function portfolioView(el) {
  let page;
  try { page = await api("/contracts", { query: { limit: 200 } }); }
  catch (error) { el.append(errorBox(error)); return; }
  const count = (row, outcome) => Object.values(row.playbook).filter(o => o === outcome).length;
  el.append(table([
    { label: "Contract", value: r => h("a", { href: `#/contracts?document=${r.document_id}` }, r.title) },
    { label: "Parties", value: r => r.terms.parties || "–" },
    { label: "Governing law", value: r => r.terms.governing_law || "–" },
    { label: "Agreement date", value: r => r.terms.agreement_date || "–" },
    { label: "Renewal", value: r => r.terms.renewal_term || "–" },
    { label: "Notice to stop renewal", value: r => r.terms.notice_period_to_terminate_renewal || "–" },
    { label: "Deviations", value: r => String(count(r, "deviation") + count(r, "missing")), num: true },
    { label: "Fallbacks", value: r => String(count(r, "fallback")), num: true },
    { label: "Pending findings", value: r => String(r.pending), num: true },
  ], page.items, { caption: "Reviewed contracts your groups may read (latest review each)", testid: "portfolio-table", empty: "No contract reviewed with recorded findings yet." }));
}

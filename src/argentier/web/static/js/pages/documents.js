// Documents: the list (paged), upload, and one document opened at a quoted passage (#/documents/ID?start=S&end=E).

import { api, hasRole } from "../api.js";
import { announce, clear, errorBox, field, fmtDate, h, okBox, pager, table } from "../dom.js";

const PAGE = 20;

export async function render(root, ctx) {
  if (ctx.segments[1]) return renderDocument(root, ctx, Number(ctx.segments[1]));
  root.append(h("h1", {}, "Documents"));
  if (hasRole(ctx.user, "analyst")) root.append(uploadForm(ctx));
  else root.append(h("p", { class: "muted" }, "Viewers can read documents; an analyst uploads them."));
  const listing = h("section", { "aria-label": "Document list" });
  root.append(listing);
  const offset = Number(ctx.params.get("offset") || 0);
  await renderList(listing, ctx, offset);
  return null;
}

async function renderList(listing, ctx, offset) {
  let page;
  try { page = await api("/documents", { query: { limit: PAGE, offset } }); }
  catch (error) { clear(listing, errorBox(error)); return; }
  const canDelete = hasRole(ctx.user, "analyst");
  clear(listing,
    table([
      { label: "Title", value: d => h("a", { href: `#/documents/${d.id}` }, d.title) },
      { label: "Collection", value: d => d.collection },
      { label: "Groups", value: d => d.groups.join(", ") || "–" },
      { label: "Type", value: d => d.format },
      { label: "Pages", value: d => (d.pages === null ? "–" : String(d.pages)), num: true },
      { label: "Added", value: d => fmtDate(d.created_at) },
      canDelete ? { label: "Actions", value: d => h("button", { type: "button", class: "secondary", "aria-label": `Delete ${d.title}`, onclick: () => remove(d, listing, ctx, offset) }, "Delete") } : null,
    ].filter(Boolean), page.items, { caption: "Documents your groups may read", empty: "No documents yet.", testid: "documents-table" }),
    pager(page, next => ctx.navigate(`#/documents?offset=${next}`), "Documents"));
}

async function remove(doc, listing, ctx, offset) {
  if (!window.confirm(`Delete "${doc.title}" and its passages?`)) return;
  try {
    await api(`/documents/${doc.id}`, { method: "DELETE" });
    announce(`Deleted ${doc.title}`);
    await renderList(listing, ctx, offset);
  } catch (error) { listing.prepend(errorBox(error)); }
}

function uploadForm(ctx) {
  const file = h("input", { type: "file", name: "file", required: true, accept: ".pdf,.docx,.html,.htm,.md,.markdown,.txt" });
  const collection = h("input", { name: "collection", value: "default", required: true });
  const groupBoxes = ctx.user.groups.map(g => h("label", { class: "muted" }, h("input", { type: "checkbox", name: "groups", value: g, checked: true }), ` ${g}`));
  const feedback = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit" }, "Upload");
  const form = h("form", { class: "panel", "aria-labelledby": "upload-title" },
    h("h2", { id: "upload-title" }, "Upload a document"),
    h("div", { class: "row" }, field("File (PDF, DOCX, HTML, Markdown, text)", file), field("Collection", collection),
      groupBoxes.length ? h("fieldset", {}, h("legend", {}, "Readable by groups"), groupBoxes) : null, button),
    feedback);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) return;
    button.disabled = true;
    clear(feedback, h("p", { class: "muted" }, `Uploading and indexing ${chosen.name}…`));
    const groups = [...form.querySelectorAll("input[name=groups]:checked")].map(box => box.value);
    try {
      const outcome = await api("/documents", { method: "POST", body: chosen, query: { filename: chosen.name, collection: collection.value, groups } });
      const doc = outcome.document;
      clear(feedback, okBox(outcome.status === "unchanged" ? `${chosen.name} was already there, unchanged.` : `${chosen.name}: ${outcome.status}.`),
        doc ? h("a", { href: `#/documents/${doc.id}` }, `Open ${doc.title}`) : null);
      announce(`Upload ${outcome.status}`);
      form.reset();
      const listing = form.parentElement.querySelector("section");
      if (listing) await renderList(listing, ctx, 0);
    } catch (error) {
      clear(feedback, errorBox(error));
    } finally { button.disabled = false; }
  });
  return form;
}

// The document's text with the passage [start, end) marked, scrolled to and focused.
async function renderDocument(root, ctx, id) {
  let doc;
  try { doc = await api(`/documents/${id}`); }
  catch (error) {
    root.append(h("h1", {}, "Document"), errorBox(error), h("a", { href: "#/documents" }, "Back to documents"));
    return null;
  }
  const start = Number(ctx.params.get("start"));
  const end = Number(ctx.params.get("end"));
  const hasSpan = ctx.params.has("start") && Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end > start && end <= doc.text.length;
  root.append(h("p", {}, h("a", { href: "#/documents" }, "← Documents")), h("h1", {}, doc.title),
    h("dl", { class: "terms" },
      h("dt", {}, "Collection"), h("dd", {}, doc.collection),
      h("dt", {}, "Groups"), h("dd", {}, doc.groups.join(", ") || "–"),
      h("dt", {}, "Type"), h("dd", {}, `${doc.format}${doc.pages ? `, ${doc.pages} pages` : ""}`),
      h("dt", {}, "Added"), h("dd", {}, fmtDate(doc.created_at))));
  const text = h("div", { class: "doc-text", tabindex: "0", role: "document", "aria-label": `Text of ${doc.title}`, "data-testid": "document-text" });
  root.append(text);
  if (!hasSpan) {
    if (ctx.params.has("start")) root.insertBefore(h("div", { class: "alert info" }, "The quoted passage is outside this document's text; showing the whole document."), text);
    text.textContent = doc.text;
    return null;
  }
  const mark = h("mark", { id: "passage", tabindex: "-1", "aria-label": "Quoted passage" }, doc.text.slice(start, end));
  text.append(doc.text.slice(0, start), mark, doc.text.slice(end));
  root.insertBefore(h("p", { class: "muted" }, `Quoted passage: characters ${start}–${end}, highlighted below.`), text);
  window.requestAnimationFrame(() => {
    mark.scrollIntoView({ block: "center" });
    mark.focus({ preventScroll: true });
  });
  return { keepFocus: true };
}

export function passageLink(documentId, start, end, label) {
  return h("a", { href: `#/documents/${documentId}?start=${start}&end=${end}` }, label);
}

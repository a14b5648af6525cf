// Search: hybrid search over the documents the caller may read; each hit opens its document at the passage.

import { api } from "../api.js";
import { clear, errorBox, field, h } from "../dom.js";
import { passageLink } from "./documents.js";

export async function render(root, ctx) {
  root.append(h("h1", {}, "Search"));
  const q = h("input", { type: "search", name: "q", value: ctx.params.get("q") || "", required: true, size: 50 });
  const mode = h("select", { name: "mode" }, ["hybrid", "keyword", "vector"].map(m => h("option", { value: m, selected: m === (ctx.params.get("mode") || "hybrid") }, m)));
  const collection = h("input", { name: "collection", value: ctx.params.get("collection") || "", placeholder: "all" });
  const form = h("form", { class: "panel", role: "search" },
    h("div", { class: "row" }, field("Question or keywords", q), field("Mode", mode), field("Collection", collection), h("button", { type: "submit" }, "Search")));
  const results = h("section", { "aria-label": "Results", "aria-live": "polite", "data-testid": "search-results" });
  root.append(form, results);
  form.addEventListener("submit", event => {
    event.preventDefault();
    const params = new URLSearchParams({ q: q.value, mode: mode.value });
    if (collection.value) params.set("collection", collection.value);
    ctx.navigate(`#/search?${params}`);
  });
  if (!ctx.params.get("q")) { q.focus(); return { keepFocus: true }; }
  clear(results, h("p", { class: "muted" }, "Searching…"));
  try {
    const hits = await api("/search", { query: { q: ctx.params.get("q"), mode: ctx.params.get("mode") || "hybrid", collection: ctx.params.get("collection"), k: 10 } });
    clear(results, h("h2", {}, `${hits.length} passage${hits.length === 1 ? "" : "s"}`),
      hits.length ? h("ol", {}, hits.map(hit => h("li", { class: "hit" },
        h("div", {}, h("strong", {}, hit.document.title), hit.section ? ` · ${hit.section}` : "", hit.page ? ` · page ${hit.page}` : "",
          h("span", { class: "muted" }, ` · ${hit.collection} · score ${hit.score.toFixed(4)}`)),
        h("blockquote", {}, hit.text),
        passageLink(hit.document.id, hit.start, hit.end, `Open "${hit.document.title}" at this passage`)))) :
        h("p", { class: "muted" }, "No passage matches in the documents your groups may read."));
  } catch (error) { clear(results, errorBox(error)); }
  return null;
}

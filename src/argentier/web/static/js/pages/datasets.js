// Datasets: the tables (CSV, Parquet) the forecast, profitability and planning pages work on.

import { api, hasRole } from "../api.js";
import { announce, clear, errorBox, field, fmtDate, fmtNumber, h, okBox, pager, table } from "../dom.js";

export async function render(root, ctx) {
  root.append(h("h1", {}, "Datasets"));
  if (hasRole(ctx.user, "analyst")) root.append(uploadForm(ctx));
  const listing = h("section", { "aria-label": "Dataset list" });
  const preview = h("section", { "aria-label": "Dataset preview", "data-testid": "dataset-preview" });
  root.append(listing, preview);
  await renderList(listing, preview, ctx, Number(ctx.params.get("offset") || 0));
}

async function renderList(listing, preview, ctx, offset) {
  let page;
  try { page = await api("/datasets", { query: { limit: 20, offset } }); }
  catch (error) { clear(listing, errorBox(error)); return; }
  clear(listing, table([
    { label: "Name", value: d => h("button", { type: "button", class: "secondary", onclick: () => show(d, preview) }, d.name) },
    { label: "Rows", value: d => fmtNumber(d.rows), num: true },
    { label: "Columns", value: d => d.columns.map(c => c.name).join(", ") },
    { label: "Groups", value: d => d.groups.join(", ") },
    { label: "Owner", value: d => d.owner }, { label: "Added", value: d => fmtDate(d.created_at) },
  ], page.items, { caption: "Datasets your groups may read", testid: "datasets-table", empty: "No dataset yet." }),
  pager(page, next => ctx.navigate(`#/datasets?offset=${next}`), "Datasets"));
}

async function show(info, preview) {
  try {
    const full = await api(`/datasets/${info.id}`, { query: { head: 10 } });
    const columns = full.columns.map(c => ({ label: `${c.name} (${c.dtype})`, value: r => String(r[c.name] ?? "–") }));
    clear(preview, h("h2", {}, `${full.name}: first rows`), table(columns, full.head));
    preview.querySelector("h2").tabIndex = -1;
    preview.querySelector("h2").focus();
  } catch (error) { clear(preview, errorBox(error)); }
}

function uploadForm(ctx) {
  const file = h("input", { type: "file", name: "file", required: true, accept: ".csv,.parquet" });
  const feedback = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "panel", "aria-labelledby": "dataset-upload" }, h("h2", { id: "dataset-upload" }, "Upload a dataset"),
    h("div", { class: "row" }, field("CSV or Parquet file", file), h("button", { type: "submit" }, "Upload")), feedback);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) return;
    try {
      const outcome = await api("/datasets", { method: "POST", body: chosen, query: { filename: chosen.name } });
      clear(feedback, okBox(`${outcome.dataset.name}: ${outcome.status}, ${outcome.dataset.rows} rows.`));
      announce(`Dataset ${outcome.status}`);
      form.reset();
      const [listing, preview] = form.parentElement.querySelectorAll("section");
      await renderList(listing, preview, ctx, 0);
    } catch (error) { clear(feedback, errorBox(error)); }
  });
  return form;
}

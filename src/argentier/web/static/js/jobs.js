// Background jobs (202 + GET /jobs/{id}) with a progress bar, and a picker over the caller's datasets.

import { api } from "./api.js";
import { clear, field, h } from "./dom.js";

export async function runJob(start, progressArea, { interval = 400 } = {}) {
  const bar = h("progress", { class: "progress", max: 1, "aria-label": "Progress" });
  const message = h("p", { class: "muted", "aria-live": "polite" }, "Started…");
  clear(progressArea, message, bar);
  let job = await start();
  while (job.status === "queued" || job.status === "running") {
    await new Promise(resolve => window.setTimeout(resolve, interval));
    job = await api(`/jobs/${job.id}`);
    if (job.total) { bar.max = job.total; bar.value = job.done; }
    message.textContent = job.message || job.status;
  }
  clear(progressArea);
  if (job.status === "failed") throw new Error(job.error || "the job failed");
  return job.result;
}

let datasetsCache = null;

export async function listDatasets(refresh = false) {
  if (!datasetsCache || refresh) datasetsCache = api("/datasets", { query: { limit: 1000 } }).then(page => page.items);
  return datasetsCache;
}

// A <select> of datasets that have all `columns`, preferring one whose name contains `prefer`.
export function datasetSelect(datasets, { label, name, columns = [], prefer, optional = false }) {
  const fits = datasets.filter(d => columns.every(c => d.columns.some(col => col.name === c)));
  const preferred = fits.find(d => prefer && d.name.includes(prefer)) || fits[0];
  const select = h("select", { name, required: !optional },
    optional ? h("option", { value: "" }, "none") : null,
    fits.map(d => h("option", { value: d.id, selected: !optional && preferred && d.id === preferred.id }, `${d.name} (${d.rows} rows)`)));
  return { element: field(label, select, fits.length ? null : `No dataset with columns ${columns.join(", ")} yet.`), select };
}

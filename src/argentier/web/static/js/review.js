// Approve / edit / reject controls for one review finding; every verdict is a POST to /review (audited there).

import { api, hasRole } from "./api.js";
import { announce, badge, clear, errorBox, field, h } from "./dom.js";

// `editor(finding)` returns {element, payload()} for an edit form, or null when the kind has no edit form.
export function reviewControls(finding, user, { onDone, editor, labels = {} } = {}) {
  const box = h("div", { class: "review-controls" });
  const status = h("span", { "data-testid": `status-${finding.id}` }, badge(finding.status));
  if (!hasRole(user, "analyst") || finding.status !== "pending") {
    const verdict = finding.latest_verdict;
    return append(box, status, verdict ? h("span", { class: "muted" }, ` by ${verdict.reviewer}${verdict.reason ? `: ${verdict.reason}` : ""}`) : null);
  }
  const area = h("div", { "aria-live": "polite" });
  const name = labels.subject || finding.kind;
  async function post(action, body) {
    try {
      const updated = await api(`/review/findings/${finding.id}/${action}`, { method: "POST", json: body });
      announce(`${name}: ${updated.status}`);
      if (onDone) await onDone(updated);
    } catch (error) { area.replaceChildren(errorBox(error)); }
  }
  const approve = h("button", { type: "button", onclick: () => post("approve", {}) }, labels.approve || "Approve");
  const edit = editor ? h("button", { type: "button", class: "secondary", onclick: () => openEdit() }, "Edit") : null;
  const reject = h("button", { type: "button", class: "secondary", onclick: () => openReject() }, labels.reject || "Reject");
  for (const b of [approve, edit, reject].filter(Boolean)) b.setAttribute("aria-label", `${b.textContent}: ${name}`);

  function openEdit() {
    const form = editor(finding);
    const reason = h("input", { name: "reason", placeholder: "optional" });
    const f = h("form", { class: "panel" }, form.element, field("Reason for the edit", reason),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Save edit"), h("button", { type: "button", class: "secondary", onclick: () => clear(area) }, "Cancel")));
    f.addEventListener("submit", event => {
      event.preventDefault();
      let payload;
      try { payload = form.payload(); } catch (error) { f.prepend(errorBox(error)); return; }
      post("edit", { payload, reason: reason.value || null });
    });
    clear(area, f);
    const first = f.querySelector("input, textarea, select");
    if (first) first.focus();
  }
  function openReject() {
    const reason = h("textarea", { name: "reason", required: true, rows: 2 });
    const f = h("form", { class: "panel" }, field("Why is it rejected? (required)", reason),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "danger" }, labels.confirmReject || "Confirm rejection"), h("button", { type: "button", class: "secondary", onclick: () => clear(area) }, "Cancel")));
    f.addEventListener("submit", event => { event.preventDefault(); post("reject", { reason: reason.value }); });
    clear(area, f);
    reason.focus();
  }
  return append(box, h("div", { class: "actions" }, status, approve, edit, reject), area);
}

function append(el, ...children) {
  for (const c of children) if (c) el.append(c);
  return el;
}

// An editor for any kind: the payload as JSON text (checked before it is sent).
export function jsonEditor(finding) {
  const text = h("textarea", { name: "payload", rows: 8, spellcheck: "false" });
  text.value = JSON.stringify(finding.current_payload, null, 2);
  return {
    element: field("Corrected payload (JSON)", text),
    payload: () => {
      try { return JSON.parse(text.value); } catch (error) { throw new Error(`The payload is not valid JSON: ${error.message}`); }
    },
  };
}

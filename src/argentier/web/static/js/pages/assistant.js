// The assistant: questions answered from the documents your groups may read, with citations that open the
// document at the quoted passage; conversations keep follow-ups in context.

import { api } from "../api.js";
import { clear, errorBox, field, fmtNumber, h } from "../dom.js";

export async function render(root, ctx) {
  root.append(h("h1", {}, "Assistant"));
  const conversationId = Number(ctx.params.get("conversation")) || null;
  const history = h("nav", { "aria-label": "Conversations", class: "panel" });
  const chat = h("div", { class: "chat", role: "log", "aria-live": "polite", "aria-label": "Conversation", "data-testid": "chat" });
  const question = h("textarea", { name: "question", rows: 2, required: true, maxlength: 2000 });
  const ask = h("button", { type: "submit" }, "Ask");
  const form = h("form", { class: "panel" }, field("Your question", question, "Answers quote your documents; press Ctrl+Enter to send."), ask);
  const state = { conversationId };
  question.addEventListener("keydown", event => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const text = question.value.trim();
    if (!text) return;
    chat.append(h("div", { class: "msg user" }, text));
    const waiting = h("div", { class: "msg muted" }, "Thinking…");
    chat.append(waiting);
    ask.disabled = true;
    try {
      const answer = await api("/assistant/ask", { method: "POST", json: { question: text, conversation_id: state.conversationId } });
      waiting.replaceWith(answerView(answer));
      question.value = "";
      if (!state.conversationId && answer.conversation_id) {
        state.conversationId = answer.conversation_id;
        window.history.replaceState(null, "", `#/assistant?conversation=${answer.conversation_id}`);
        listConversations(history, state.conversationId);
      }
    } catch (error) { waiting.replaceWith(errorBox(error)); }
    finally { ask.disabled = false; question.focus(); }
  });
  root.append(h("div", { class: "grid2 assistant" }, h("div", {}, chat, form), history));
  await Promise.all([listConversations(history, conversationId), conversationId ? loadConversation(chat, conversationId) : null]);
  question.focus();
  return { keepFocus: true };
}

async function listConversations(el, current) {
  try {
    const conversations = await api("/assistant/conversations", { query: { limit: 20 } });
    clear(el, h("h2", {}, "Conversations"), h("p", {}, h("a", { href: "#/assistant" }, "New conversation")),
      conversations.length ? h("ul", {}, conversations.map(c => h("li", {}, h("a", { href: `#/assistant?conversation=${c.id}`, "aria-current": c.id === current ? "page" : null }, c.title), h("span", { class: "muted" }, ` · ${c.n_exchanges} question${c.n_exchanges === 1 ? "" : "s"}`)))) : h("p", { class: "muted" }, "None yet."));
  } catch (error) { clear(el, errorBox(error)); }
}

async function loadConversation(chat, id) {
  try {
    const conversation = await api(`/assistant/conversations/${id}`);
    for (const exchange of conversation.exchanges) {
      chat.append(h("div", { class: "msg user" }, exchange.question));
      chat.append(exchange.withheld ? h("div", { class: "msg muted" }, "This answer is withheld: it cites documents you can no longer read.") : answerView(exchange));
    }
  } catch (error) { chat.append(errorBox(error)); }
}

export function citationLink(citation) {
  const doc = citation.document;
  if (!doc) return h("span", {}, citation.source ? `${citation.source.name || citation.source.kind || "data"}` : "source");
  const start = citation.highlight ? citation.highlight.start : citation.start;
  const end = citation.highlight ? citation.highlight.end : citation.end;
  const where = [doc.title, citation.section, citation.page ? `page ${citation.page}` : null].filter(Boolean).join(" · ");
  return start === null || start === undefined ? h("a", { href: `#/documents/${doc.id}` }, where) : h("a", { href: `#/documents/${doc.id}?start=${start}&end=${end}` }, where);
}

function answerView(answer) {
  const citations = answer.citations || [];
  return h("div", { class: `msg${answer.refused ? " refused" : ""}`, "data-testid": "answer" },
    h("p", {}, answer.answer),
    answer.arithmetic ? h("p", { class: "muted" }, `Computed: ${answer.arithmetic}`) : null,
    citations.length ? h("div", { class: "citations" }, h("strong", {}, "Sources"),
      h("ol", {}, citations.map(c => h("li", {}, citationLink(c), c.quote ? h("blockquote", { class: "quote" }, c.quote) : null)))) : null,
    h("p", { class: "muted" }, [answer.method, answer.confidence !== undefined ? `confidence ${fmtNumber(answer.confidence, 2)}` : null, answer.model].filter(Boolean).join(" · ")));
}

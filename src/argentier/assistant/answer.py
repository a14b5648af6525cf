"""The finance assistant: a question in, a cited answer out, never from a document the caller may not read.

:meth:`Assistant.ask` tries, in order:

1. a module **tool**, when the question matches one (``argentier.assistant.tools.route``, deterministic);
   it runs with the caller's groups and its result is cited;
2. **retrieval** with the hybrid search and the caller's groups (:mod:`argentier.assistant.retrieval`);
3. the retrieved documents' **tables** (``argentier.assistant.tables``): the value read from the cells,
   the arithmetic shown, each cell cited with offsets;
4. with an **LLM** configured, a generated answer whose every kept statement quotes the passages
   (:mod:`argentier.assistant._llm`); a failed call falls back to step 5, and no grounded statement is a
   refusal;
5. else an **extractive** answer: the best sentence, highlighted inside its paragraph, plus the next best
   supporting passages; below :attr:`Assistant.threshold` the assistant refuses ("the documents you can see
   do not answer this").

Every answer is logged (who, groups, question, answer, citations) unless ``log=False``.
"""

from __future__ import annotations

import getpass
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from argentier.assistant import _integrations
from argentier.assistant._types import REFUSAL_TEXT, Answer, Citation, Highlight, RetrievedPage
from argentier.assistant.conversation import ConversationLog, rewrite_follow_up
from argentier.assistant.retrieval import Candidate, Retrieval, rank_sentences, retrieve
from argentier.config import Settings
from argentier.errors import InputError, ProviderError

if TYPE_CHECKING:
    import numpy as np

    from argentier.core.embeddings import Embedder
    from argentier.core.library import Library
    from argentier.core.llm import LLMClient

__all__ = ["DEFAULT_THRESHOLD", "Assistant"]

DEFAULT_THRESHOLD = 0.5
"""Best-sentence score below which the extractive path refuses (calibrated on the procedure set)."""
TABLE_MIN_CONFIDENCE = 0.5
SUPPORT_RATIO = 0.85
MAX_CITATIONS = 3
MAX_QUESTION_CHARS = 2000


class SentenceVectors:
    """Embeddings of recently used sentences, shared by assistants over one library (the same passages come back often).

    Keyed by the sentence's text, so a cached vector is never stale; the least recently used are dropped past ``size``. Safe to
    share between threads (the API's request handlers).

    >>> cache = SentenceVectors(size=2)
    >>> calls = []
    >>> def embed(texts):
    ...     calls.append(list(texts))
    ...     return [[float(len(text))] for text in texts]
    >>> cache.get(["a", "bb"], embed).tolist(), cache.get(["bb", "ccc"], embed).tolist(), calls
    ([[1.0], [2.0]], [[2.0], [3.0]], [['a', 'bb'], ['ccc']])
    """

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._vectors: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, texts: Sequence[str], embed: Any) -> np.ndarray:
        import numpy as np

        with self._lock:
            known = {text: self._vectors[text] for text in texts if text in self._vectors}
            for text in known:
                self._vectors.move_to_end(text)
        missing = [text for text in dict.fromkeys(texts) if text not in known]
        if missing:
            fresh = dict(zip(missing, embed(missing)))
            known.update(fresh)
            with self._lock:
                self._vectors.update(fresh)
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        return np.stack([np.asarray(known[text]) for text in texts])


class Assistant:
    """Answers questions over a :class:`Library` with citations; see the module docstring.

    >>> from argentier.config import Settings
    >>> assistant = Assistant.open(Settings(database_url="sqlite://"))
    >>> _ = assistant.library.add_text("Meals are reimbursed up to EUR 40 per day with receipts.",
    ...                                title="Expense policy")
    >>> answer = assistant.ask("How much are meals reimbursed per day?", log=False)
    >>> answer.refused, answer.citations[0].highlight.text
    (False, 'Meals are reimbursed up to EUR 40 per day with receipts.')
    >>> assistant.ask("Who won the 1998 football world cup?", log=False).refused
    True
    >>> assistant.close()
    """

    def __init__(
        self,
        library: Library,
        settings: Settings | None = None,
        *,
        llm: LLMClient | None = None,
        tools: Sequence[Any] | None = None,
        k: int = 8,
        threshold: float = DEFAULT_THRESHOLD,
        vectors: SentenceVectors | None = None,
    ) -> None:
        self.library = library
        self.settings = settings or library.settings
        self.llm = llm
        self.tools = tools
        self.k = k
        self.threshold = threshold
        self.log = ConversationLog(library.store, public_group=self.settings.search.public_group)
        self._documents: OrderedDict = OrderedDict()
        self._tables: OrderedDict = OrderedDict()
        self._vectors = vectors if vectors is not None else SentenceVectors()

    @classmethod
    def open(
        cls,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        llm: LLMClient | None = None,
        **options: Any,
    ) -> Assistant:
        """Open the library named by ``settings`` and the LLM client its ``[llm]`` section configures."""
        from argentier.core.library import Library
        from argentier.core.llm import make_llm_client

        settings = settings or Settings()
        library = Library.open(settings, embedder=embedder)
        if llm is None:
            llm = make_llm_client(settings, store=library.store)
        return cls(library, settings, llm=llm, **options)

    def close(self) -> None:
        if self.llm is not None:
            self.llm.close()
        self.library.close()

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- asking ---------------------------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        *,
        groups: Iterable[str] | None = None,
        collection: str | None = None,
        conversation: int | None = None,
        user: str | None = None,
        meta: Mapping[str, str] | None = None,
        log: bool = True,
    ) -> Answer:
        """Answer ``question`` from what ``groups`` may read (``None``: a trusted local caller, no restriction).

        ``conversation`` continues an earlier conversation of ``user`` (follow-ups keep its context, and its
        collection unless another is given); without it a new conversation is started when ``log`` is on.
        ``meta`` keeps retrieval to documents whose metadata has every given pair (one filing, one entity).
        Raises :class:`InputError` for an empty question and :class:`NotFoundError` for a conversation that
        is not ``user``'s.
        """
        question = " ".join((question or "").split())
        if not question:
            raise InputError("the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise InputError(f"the question is longer than {MAX_QUESTION_CHARS} characters")
        groups = None if groups is None else tuple(sorted({g.strip() for g in groups if g and g.strip()}))
        user = user or _local_user()
        previous = None
        if conversation is not None:
            previous = self.log.last_query(conversation, user)
            if collection is None:
                collection = self.log.collection_of(conversation, user)
        query = rewrite_follow_up(question, previous)
        answer = self._answer(question, query, groups=groups, collection=collection, user=user, meta=meta)
        if not log:
            return answer
        if conversation is None:
            conversation = self.log.start(user, question, collection=collection)
        exchange = self.log.record(conversation, user, groups, answer)
        return replace(answer, conversation_id=conversation, exchange_id=exchange)

    def _answer(
        self,
        question: str,
        query: str,
        *,
        groups: tuple[str, ...] | None,
        collection: str | None,
        user: str,
        meta: Mapping[str, str] | None,
    ) -> Answer:
        tool_answer = _integrations.tool_answer(self, question, query, groups=groups, user=user)
        if tool_answer is not None and tool_answer.citations:
            return tool_answer
        # A tool that found nothing (no citations) only speaks when the documents do not answer either.
        retrieval = retrieve(
            self.library, query, groups=groups, collection=collection, k=self.k, meta=meta, cache=self._documents
        )
        retrieved = _retrieved_pages(retrieval)
        table_answer = _integrations.table_answer(self, question, query, retrieval, self._tables)
        if table_answer is not None and table_answer.confidence >= TABLE_MIN_CONFIDENCE:
            return replace(table_answer, retrieved=retrieved)
        candidates = rank_sentences(query, retrieval, self._embed)
        if not candidates or candidates[0].score < self.threshold:
            if tool_answer is not None:
                return tool_answer
            best = candidates[0].score if candidates else 0.0
            return _refusal(question, query, retrieved, best, "no passage you can read scores above the threshold")
        if self.llm is not None and self.llm.available:
            return self._generated(question, query, candidates, retrieval, retrieved)
        return _extractive(question, query, candidates, retrieval, retrieved)

    def _generated(
        self,
        question: str,
        query: str,
        candidates: list[Candidate],
        retrieval: Retrieval,
        retrieved: tuple[RetrievedPage, ...],
    ) -> Answer:
        from argentier.assistant._llm import generate_answer

        try:
            generated = generate_answer(self.llm, query, candidates, retrieval.documents)
        except ProviderError as error:
            extractive = _extractive(question, query, candidates, retrieval, retrieved)
            return replace(extractive, note=f"LLM call failed, extractive answer given: {error}")
        if not generated.statements:
            note = f"none of the model's {generated.n_claims} statements was grounded in the passages"
            return replace(
                _refusal(question, query, retrieved, candidates[0].score, note), model=generated.model
            )
        return Answer(
            question=question,
            answer=" ".join(generated.statements),
            citations=generated.citations,
            refused=False,
            method="llm",
            confidence=round(len(generated.statements) / max(generated.n_claims, 1), 4),
            query=query,
            model=generated.model,
            retrieved=retrieved,
            details={"statements": list(generated.statements), "n_claims": generated.n_claims},
        )

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of ``texts``, through the sentence cache."""
        return self._vectors.get(texts, self.library.embedder.embed)


def _local_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "local"


def _retrieved_pages(retrieval: Retrieval) -> tuple[RetrievedPage, ...]:
    """The pages of each hit in rank order; a chunk running over a page break retrieves every page it covers."""
    pages = []
    for hit in retrieval.hits:
        parsed = retrieval.documents.get(hit.document.id)
        first = last = hit.page
        if parsed is not None and parsed.pages:
            first, last = parsed.page_at(hit.start), parsed.page_at(max(hit.start, hit.end - 1))
        if first is None or last is None:
            pages.append(RetrievedPage(hit.document, hit.page))
        else:
            pages.extend(RetrievedPage(hit.document, number) for number in range(first, last + 1))
    return tuple(pages)


def _refusal(
    question: str, query: str, retrieved: tuple[RetrievedPage, ...], best: float, note: str
) -> Answer:
    return Answer(
        question=question,
        answer=REFUSAL_TEXT,
        citations=(),
        refused=True,
        method="refusal",
        confidence=round(best, 4),
        query=query,
        note=note,
        retrieved=retrieved,
    )


def _extractive(
    question: str,
    query: str,
    candidates: list[Candidate],
    retrieval: Retrieval,
    retrieved: tuple[RetrievedPage, ...],
) -> Answer:
    best = candidates[0]
    chosen, paragraphs = [], set()
    for candidate in candidates:
        if len(chosen) == MAX_CITATIONS or candidate.score < best.score * SUPPORT_RATIO:
            break
        key = (candidate.document.id, candidate.context_start)
        if key in paragraphs:
            continue
        paragraphs.add(key)
        chosen.append(candidate)
    citations = tuple(_citation(candidate, retrieval) for candidate in chosen)
    return Answer(
        question=question,
        answer=" ".join(best.text.split()),
        citations=citations,
        refused=False,
        method="extractive",
        confidence=round(best.score, 4),
        query=query,
        retrieved=retrieved,
        details={"lexical": best.lexical, "semantic": best.semantic},
    )


def _citation(candidate: Candidate, retrieval: Retrieval) -> Citation:
    """The paragraph (cut to its chunk) as the quote, the answering sentence highlighted inside it."""
    text = retrieval.documents[candidate.document.id].text
    return Citation(
        document=candidate.document,
        page=candidate.page,
        section=candidate.section,
        start=candidate.context_start,
        end=candidate.context_end,
        quote=text[candidate.context_start : candidate.context_end],
        highlight=Highlight(candidate.start, candidate.end, text[candidate.start : candidate.end]),
        score=candidate.score,
    )

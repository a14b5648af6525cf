"""The assistant's LLM path: a generated answer whose every kept statement quotes the retrieved passages.

The model sees the best retrieved passages (the paragraphs around the best-scoring sentences) numbered, and
answers with the ``grounded_answer`` prompt: an answer and claims citing verbatim quotes. :meth:`LLMClient.complete`
checks every quote against the passages; only fully grounded claims are kept, and each quote's offsets are
mapped back into its document's text, so the citations are as checkable as the extractive path's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from argentier.assistant._types import Citation, Highlight
from argentier.assistant.retrieval import Candidate
from argentier.core.documents import ParsedDocument
from argentier.core.llm import GroundedAnswer, LLMClient, join_passages, load_prompt, number_passages
from argentier.core.llm._client import PASSAGE_SEPARATOR

__all__ = ["GeneratedAnswer", "generate_answer", "prompt_passages"]


@dataclass(frozen=True)
class GeneratedAnswer:
    """The grounded statements of a generated answer with their citations, and how many were dropped."""

    statements: tuple[str, ...]
    citations: tuple[Citation, ...]
    n_claims: int
    model: str


def prompt_passages(candidates: Sequence[Candidate], max_passages: int) -> list[Candidate]:
    """The candidates whose paragraphs go to the model: the best ones, one per paragraph."""
    chosen, seen = [], set()
    for candidate in candidates:
        key = (candidate.document.id, candidate.context_start, candidate.context_end)
        if key in seen:
            continue
        seen.add(key)
        chosen.append(candidate)
        if len(chosen) == max_passages:
            break
    return chosen


def generate_answer(
    client: LLMClient,
    question: str,
    candidates: Sequence[Candidate],
    documents: dict[int, ParsedDocument],
    *,
    max_passages: int = 6,
) -> GeneratedAnswer:
    """Ask the model; keep only statements whose quotes are all found in the passages (raises ProviderError)."""
    chosen = prompt_passages(candidates, max_passages)
    passages = [documents[c.document.id].text[c.context_start : c.context_end] for c in chosen]
    completion = client.complete(
        load_prompt("grounded_answer"),
        variables={"passages": number_passages(passages), "question": question},
        schema=GroundedAnswer,
        grounding_passages=passages,
    )
    offsets, position = [], 0
    for passage in passages:
        offsets.append(position)
        position += len(passage) + len(PASSAGE_SEPARATOR)
    assert position - len(PASSAGE_SEPARATOR) == len(join_passages(passages))
    statements, citations, seen = [], [], set()
    for claim in completion.grounding.verified:
        mapped = []
        for evidence in claim.evidence:
            index = max(i for i, offset in enumerate(offsets) if offset <= evidence.start)
            local_start = evidence.start - offsets[index]
            local_end = evidence.end - offsets[index]
            if local_end > len(passages[index]):
                break  # the quote runs across two passages: not one continuous piece of a document
            mapped.append((chosen[index], local_start, local_end))
        else:
            statements.append(" ".join(claim.text.split()))
            for candidate, local_start, local_end in mapped:
                text = documents[candidate.document.id].text
                start = candidate.context_start + local_start
                end = candidate.context_start + local_end
                if (candidate.document.id, start, end) in seen:
                    continue
                seen.add((candidate.document.id, start, end))
                citations.append(
                    Citation(
                        document=candidate.document,
                        page=candidate.page,
                        section=candidate.section,
                        start=start,
                        end=end,
                        quote=text[start:end],
                        highlight=Highlight(start, end, text[start:end]),
                    )
                )
    return GeneratedAnswer(tuple(statements), tuple(citations), len(completion.grounding.claims), completion.model)

"""Output schemas of the shipped prompts, as pydantic models for :meth:`LLMClient.complete`.

>>> answer = GroundedAnswer.model_validate_json(
...     '{"answer": "45 days", "claims": [{"text": "Invoices are due in 45 days.",'
...     ' "quotes": [{"passage": 1, "text": "due within 45 days"}]}]}')
>>> answer.claims[0].quotes[0].text
'due within 45 days'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, create_model


class _Output(BaseModel):
    model_config = ConfigDict(frozen=True)


class Quote(_Output):
    """A verbatim quote and the number of the passage it was copied from (1-based)."""

    passage: int = Field(ge=1)
    text: str = Field(min_length=1)


class GroundedClaim(_Output):
    """One statement of an answer and the quotes that support it."""

    text: str = Field(min_length=1)
    quotes: list[Quote] = Field(min_length=1)


class GroundedAnswer(_Output):
    """Output of the ``grounded_answer`` prompt: a short answer and its claims, each with quotes."""

    answer: str
    claims: list[GroundedClaim]


class ExtractedQuote(_Output):
    """Output of the ``quote_passage`` prompt: words copied from the sources (``find_quote`` locates them)."""

    quote: str = Field(min_length=1)


class LabelChoice(_Output):
    """Output of the ``classify_label`` prompt: one label and a verbatim quote that supports it."""

    label: str = Field(min_length=1)
    quote: str = Field(min_length=1)


def label_choice_model(labels: Sequence[str]) -> type[LabelChoice]:
    """A :class:`LabelChoice` whose ``label`` must be one of ``labels``.

    The allowed labels become an ``enum`` in the JSON schema, so endpoints with constrained decoding (OpenAI
    structured outputs, llama.cpp grammars) cannot answer anything else, and validation catches those without.

    >>> Choice = label_choice_model(["payment terms", "termination"])
    >>> Choice(label="termination", quote="either party may terminate").label
    'termination'
    >>> Choice.model_json_schema()["properties"]["label"]["enum"]
    ['payment terms', 'termination']
    """
    if isinstance(labels, str):
        raise TypeError("label_choice_model() takes a sequence of labels, not a single string")
    choices = tuple(dict.fromkeys(labels))
    if not choices or not all(isinstance(label, str) and label for label in choices):
        raise ValueError("label_choice_model() needs at least one non-empty label")
    return create_model(
        "LabelChoice",
        __base__=LabelChoice,
        label=(Literal[choices], ...),  # type: ignore[valid-type] - a Literal built at run time
    )

"""Fixed-rule checks learned from examples: is a rule entailed by, contradicted by, or absent from a contract?

This is how playbook rules that a keyword check cannot judge ("the recipient may keep copies", "no licence
is granted") are decided, and it is what ContractNLI measures (17 NDA rules). Two stages, each a linear model
over hashed word and word-pair features:

1. evidence: per rule, the probability that each span (sentence or list item) of the contract speaks to it;
2. label: from the rule's best evidence spans (their words, conjoined with the rule id, and how sure stage 1
   is), one of Entailment / Contradiction / NotMentioned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from argentier.errors import InputError, NotFittedError

__all__ = ["LABELS", "NliExample", "RuleClassifier"]

LABELS = ("Entailment", "Contradiction", "NotMentioned")
_WORD = re.compile(r"[a-z0-9]+")
_NEGATIONS = frozenset(
    [
        "not",
        "no",
        "nor",
        "never",
        "without",
        "neither",
        "none",
        "except",
        "unless",
        "only",
        "solely",
        "shall",
        "may",
    ]
)


@dataclass(frozen=True)
class NliExample:
    """A contract's text, its spans ``(start, end)`` and per rule id ``(label, evidence span indices)``."""

    text: str
    spans: tuple[tuple[int, int], ...]
    labels: Mapping[str, tuple[str, tuple[int, ...]]]


def _tokens(text: str) -> list[str]:
    words = _WORD.findall(text.lower())[:200]
    return words + [f"{a}_{b}" for a, b in pairwise(words)]


def _hash(rows: Sequence[Sequence[str]]):
    from sklearn.feature_extraction import FeatureHasher
    from sklearn.preprocessing import normalize

    matrix = FeatureHasher(n_features=2**18, input_type="string", alternate_sign=False).transform(rows)
    matrix.data[:] = 1.0
    return normalize(matrix.tocsr())


class RuleClassifier:
    """Decide Entailment / Contradiction / NotMentioned for a fixed set of rules.

    >>> text = "The Recipient shall not reverse engineer the samples. Copies may be kept for legal purposes."
    >>> spans = ((0, 53), (54, 94))
    >>> train = [NliExample(text, spans, {"r1": ("Entailment", (0,))}),
    ...          NliExample("Fees are due monthly. Nothing else.", ((0, 21), (22, 35)), {"r1": ("NotMentioned", ())})]
    >>> RuleClassifier(top_k=1).fit(train * 3).predict(text, spans)["r1"]
    'Entailment'
    """

    def __init__(self, *, C: float = 2.0, top_k: int = 2, seed: int = 0) -> None:
        self.C = C
        self.top_k = top_k
        self.seed = seed

    def _pair_tokens(self, rule: str, texts: Sequence[str], probabilities: np.ndarray) -> list[str]:
        order = np.argsort(-probabilities)[: self.top_k]
        best = float(probabilities[order[0]]) if len(order) else 0.0
        tokens = [f"p:{rule}:{min(int(best * 10), 9)}", f"p:{min(int(best * 10), 9)}", f"rule:{rule}"]
        for index in order:
            for token in _tokens(texts[index]):
                tokens.append(f"{rule}:{token}")
                if token in _NEGATIONS:
                    tokens.append(f"neg:{rule}:{token}")
        return tokens

    def fit(self, examples: Sequence[NliExample]) -> RuleClassifier:
        """Learn both stages from labelled contracts."""
        from sklearn.linear_model import LogisticRegression

        if not examples:
            raise InputError("no training contracts")
        self.rules_ = sorted({rule for example in examples for rule in example.labels})
        texts = [[example.text[s:e] for s, e in example.spans] for example in examples]
        X = _hash([_tokens(text) for spans in texts for text in spans])
        self.evidence_ = {}
        for rule in self.rules_:
            y = np.concatenate(
                [
                    np.isin(np.arange(len(example.spans)), example.labels.get(rule, ("", ()))[1]).astype(int)
                    for example in examples
                ]
            )
            if y.sum() == 0 or y.sum() == len(y):
                continue
            self.evidence_[rule] = LogisticRegression(
                C=self.C, class_weight="balanced", max_iter=300, random_state=self.seed
            ).fit(X, y)
        rows, labels = [], []
        offset = 0
        for example, spans in zip(examples, texts):
            block = X[offset : offset + len(spans)]
            offset += len(spans)
            for rule, (label, _) in example.labels.items():
                rows.append(self._pair_tokens(rule, spans, self._evidence(rule, block)))
                labels.append(label)
        self.label_ = LogisticRegression(C=self.C, max_iter=500, random_state=self.seed).fit(
            _hash(rows), labels
        )
        return self

    def _evidence(self, rule: str, block) -> np.ndarray:
        model = self.evidence_.get(rule)
        return model.predict_proba(block)[:, 1] if model is not None else np.zeros(block.shape[0])

    def predict(self, text: str, spans: Sequence[tuple[int, int]]) -> dict[str, str]:
        """The label of every known rule for one contract."""
        return {rule: result["label"] for rule, result in self.predict_with_evidence(text, spans).items()}

    def predict_with_evidence(self, text: str, spans: Sequence[tuple[int, int]]) -> dict[str, dict[str, Any]]:
        """Per rule: ``label``, its probability, and the best evidence span ``(start, end)``."""
        if not hasattr(self, "label_"):
            raise NotFittedError("RuleClassifier is not fitted")
        if not spans:
            raise InputError("the contract has no spans to judge")
        span_texts = [text[s:e] for s, e in spans]
        block = _hash([_tokens(t) for t in span_texts])
        results = {}
        pairs = []
        for rule in self.rules_:
            probabilities = self._evidence(rule, block)
            pairs.append(self._pair_tokens(rule, span_texts, probabilities))
            results[rule] = {"evidence": tuple(spans[int(np.argmax(probabilities))])}
        probabilities = self.label_.predict_proba(_hash(pairs))
        for rule, row in zip(self.rules_, probabilities):
            best = int(np.argmax(row))
            results[rule] |= {"label": str(self.label_.classes_[best]), "probability": float(row[best])}
        return results

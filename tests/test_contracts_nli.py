"""The learned rule checks (ContractNLI-style): a known answer on a tiny corpus and input checks."""

import pytest

from argentier.contracts._nli import NliExample, RuleClassifier
from argentier.errors import InputError, NotFittedError

KEEP = "The Recipient may retain one archival copy of Confidential Information."
NO_KEEP = "The Recipient shall not retain any copy of Confidential Information."
OTHER = "This Agreement is governed by the laws of Delaware."


def _example(sentence: str, label: str) -> NliExample:
    text = f"{OTHER} {sentence}" if sentence else OTHER
    spans = ((0, len(OTHER)),) + (((len(OTHER) + 1, len(text)),) if sentence else ())
    return NliExample(text, spans, {"keep-copy": (label, (1,) if sentence else ())})


def test_learns_entailment_contradiction_and_not_mentioned():
    train = [
        _example(KEEP, "Entailment"),
        _example(NO_KEEP, "Contradiction"),
        _example("", "NotMentioned"),
    ] * 4
    model = RuleClassifier(top_k=1).fit(train)
    for sentence, label in ((KEEP, "Entailment"), (NO_KEEP, "Contradiction"), ("", "NotMentioned")):
        example = _example(sentence, label)
        assert model.predict(example.text, example.spans) == {"keep-copy": label}
    keep = _example(KEEP, "Entailment")
    result = model.predict_with_evidence(keep.text, keep.spans)
    assert result["keep-copy"]["evidence"] == (len(OTHER) + 1, len(OTHER) + 1 + len(KEEP))


def test_input_checks():
    with pytest.raises(NotFittedError):
        RuleClassifier().predict("x", [(0, 1)])
    with pytest.raises(InputError):
        RuleClassifier().fit([])

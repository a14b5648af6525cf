"""The clause model: training on a small synthetic corpus, exact offsets, save/load, the shipped model, CUAD."""

import numpy as np
import pytest
from shared_data import shared_data

from argentier.contracts import CATEGORIES, ClauseModel, cuad_report
from argentier.contracts._candidates import candidate_spans
from argentier.core.documents import parse_text
from argentier.errors import InputError, NotFittedError

STATES = ["New York", "Delaware", "Texas", "Ohio", "Nevada", "Utah", "Iowa", "Maine"]
FILLER = [
    "The Supplier shall deliver the Products to the locations named by the Buyer.",
    "Invoices are payable within thirty days of receipt.",
    "Each party shall keep the other's confidential information secret.",
    "The Buyer shall inspect the Products upon delivery.",
]


def _contract(i: int) -> tuple[str, dict[str, list[str]]]:
    law = f"This Agreement shall be governed by the laws of the State of {STATES[i % len(STATES)]}."
    insurance = f"The Supplier shall maintain general liability insurance of at least ${i + 1} million."
    body = [FILLER[i % 4], law, FILLER[(i + 1) % 4], insurance, FILLER[(i + 2) % 4]]
    return "SUPPLY AGREEMENT\n\n" + "\n\n".join(body), {"Governing Law": [law], "Insurance": [insurance]}


@pytest.fixture(scope="module")
def small_model():
    corpus = [_contract(i) for i in range(16)]
    docs = [parse_text(text) for text, _ in corpus]
    return ClauseModel(folds=2, min_df=1, negative_rate=1.0, epochs=20).fit(
        docs, [gold for _, gold in corpus]
    )


def test_candidates_are_exact_spans():
    doc = parse_text(_contract(3)[0])
    candidates = candidate_spans(doc)
    assert candidates and all(0 <= c.start < c.end <= len(doc.text) for c in candidates)
    assert len({(c.start, c.end, c.kind) for c in candidates}) == len(candidates)


def test_trained_model_finds_the_clauses_with_exact_offsets(small_model):
    text = _contract(21)[0]  # a state pattern and amount never seen together
    doc = parse_text(text)
    found = {m.category: m for m in small_model.predict(doc, min_score=0.5)}
    assert set(found) == {"Governing Law", "Insurance"}
    for match in found.values():
        assert doc.text[match.start : match.end] == match.text
        assert 0.5 <= match.score <= 1.0
    assert "governed by the laws" in found["Governing Law"].text


def test_scores_are_probabilities_and_monotone_in_the_raw_score(small_model):
    doc = parse_text(_contract(5)[0])
    candidates, scores = small_model.score_candidates(doc)
    assert scores.shape == (len(candidates), len(CATEGORIES))
    assert scores.min() >= 0.0 and scores.max() <= 1.0


def test_save_and_load_round_trip(small_model, tmp_path):
    path = small_model.save(tmp_path / "model.npz")
    loaded = ClauseModel.load(path)
    doc = parse_text(_contract(7)[0])
    assert loaded.predict(doc, min_score=0.1) == small_model.predict(doc, min_score=0.1)
    with np.load(path, allow_pickle=False) as data:  # plain arrays only, no pickled objects
        assert all(data[name].dtype != object for name in data.files)


def test_bad_model_files_and_unfitted_use_are_errors(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="bad.npz"):
        ClauseModel.load(bad)
    with pytest.raises(NotFittedError):
        ClauseModel().predict(parse_text("x"))
    with pytest.raises(InputError):
        ClauseModel(folds=2).fit([parse_text("a")], [{}])


def test_shipped_model_is_small_and_finds_governing_law():
    from argentier.contracts._model import _DEFAULT_PATH

    assert _DEFAULT_PATH.stat().st_size < 10_000_000
    model = ClauseModel.load_default()
    assert model.info_["n_documents"] >= 300
    doc = parse_text(
        "12. Governing Law. This Agreement shall be governed by and construed in accordance with "
        "the laws of the State of California, without regard to its conflict of laws rules."
    )
    categories = [m.category for m in model.predict(doc, min_score=0.5)]
    assert "Governing Law" in categories


def test_shipped_model_on_five_cuad_dev_contracts():
    """A smoke check on held-out data: the full figure is in benchmarks/contracts_cuad.py."""
    from argentier.contracts.training import load_cuad, split_cuad

    data = shared_data("cuad")
    _, dev = split_cuad(load_cuad(data, limit=80), data)
    dev = dev[:5]
    assert dev, "no dev contracts among the first 80"
    model = ClauseModel.load_default()
    gold, preds = {}, {}
    for contract in dev:
        gold |= {(contract.id, cat): spans for cat, spans in contract.gold.items() if spans}
        for match in model.predict(contract.doc, min_score=0.0):
            assert contract.doc.text[match.start : match.end] == match.text
            preds.setdefault((contract.id, match.category), []).append((match.text, match.score))
    assert cuad_report(gold, preds, CATEGORIES)["micro"].aupr > 0.3

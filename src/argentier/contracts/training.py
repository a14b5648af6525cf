"""Rebuild the shipped clause model from CUAD v1 and evaluate it on the held-out dev contracts.

Anyone with the CUAD training data can rebuild ``models/clause_model.npz``::

    python benchmarks/train_clause_model.py --data ../shared/data/cuad

The 40 contracts in ``dev_ids.txt`` are never trained on; they are the evaluation split.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from argentier.contracts._categories import CATEGORIES
from argentier.core.documents import ParsedDocument, parse_text
from argentier.errors import InputError

__all__ = ["CuadContract", "load_cuad", "split_cuad", "train_clause_model"]


@dataclass(frozen=True)
class CuadContract:
    """One CUAD contract: id, parsed text, and per category the gold clause texts."""

    id: str
    doc: ParsedDocument
    gold: dict[str, list[str]]


def _rows(path: Path) -> Iterator[dict]:
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise InputError(f"line {number} is not JSON: {exc.msg}", source=str(path)) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=str(path)) from exc


def load_cuad(data_dir: str | Path, *, limit: int | None = None) -> list[CuadContract]:
    """Read ``train.jsonl`` of a CUAD folder; categories outside the 41 are an :class:`InputError`."""
    path = Path(data_dir) / "train.jsonl"
    contracts = []
    for row in _rows(path):
        gold = {}
        for category, label in row.get("labels", {}).items():
            if category not in CATEGORIES:
                raise InputError(
                    f"contract {row.get('id')!r} has unknown category {category!r}", source=str(path)
                )
            gold[category] = [span["text"] for span in label.get("spans", ())]
        contracts.append(CuadContract(row["id"], parse_text(row["text"]), gold))
        if limit is not None and len(contracts) >= limit:
            break
    return contracts


def split_cuad(
    contracts: list[CuadContract], data_dir: str | Path
) -> tuple[list[CuadContract], list[CuadContract]]:
    """(training, dev) by the ids listed in ``dev_ids.txt``."""
    dev_ids = {
        line.strip() for line in (Path(data_dir) / "dev_ids.txt").read_text().splitlines() if line.strip()
    }
    return [c for c in contracts if c.id not in dev_ids], [c for c in contracts if c.id in dev_ids]


def train_clause_model(
    data_dir: str | Path, *, seed: int = 0, progress: Callable[[str], None] | None = None, **params: float
) -> tuple[ClauseModel, list[CuadContract]]:  # noqa: F821
    """Train on CUAD train minus the dev ids; returns the model and the dev contracts for evaluation."""
    from argentier.contracts._model import ClauseModel

    train, dev = split_cuad(load_cuad(data_dir), data_dir)
    if not dev:
        raise InputError("no dev contracts found: check dev_ids.txt", source=str(data_dir))
    model = ClauseModel(seed=seed, **params).fit(
        [c.doc for c in train], [c.gold for c in train], progress=progress
    )
    return model, dev

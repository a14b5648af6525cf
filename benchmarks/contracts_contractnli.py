"""ContractNLI dev (61 NDAs, 17 fixed rules): accuracy and Contradiction F1 of the learned rule checks.

    flock /tmp/argentier-bench.lock .venv/bin/python benchmarks/contracts_contractnli.py --data ../shared/data/contractnli

Only the dev set is available here, so the figure is k-fold cross-validation over its documents (each NDA is
judged by a model that never saw it). The published figures (Span NLI BERT-large 0.875 / 0.357, GPT-4
0.87 / 0.70) are on the official test set with the 423-document training set: a different, larger setting.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from argentier.contracts._nli import LABELS, NliExample, RuleClassifier

PUBLISHED = {"Span NLI BERT-large (test)": (0.875, 0.357), "GPT-4 (test)": (0.87, 0.70)}


def load(path: Path) -> list[NliExample]:
    data = json.loads(path.read_text(encoding="utf-8"))
    examples = []
    for document in data["documents"]:
        annotations = document["annotation_sets"][0]["annotations"]
        labels = {rule: (item["choice"], tuple(item["spans"])) for rule, item in annotations.items()}
        examples.append(NliExample(document["text"], tuple(map(tuple, document["spans"])), labels))
    return examples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/contractnli")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json-out")
    args = parser.parse_args()
    examples = load(Path(args.data) / "dev.json")
    order = np.random.default_rng(args.seed).permutation(len(examples))
    gold, predicted = [], []
    started = time.perf_counter()
    for fold in range(args.folds):
        test = set(order[fold :: args.folds].tolist())
        model = RuleClassifier(seed=args.seed).fit([e for i, e in enumerate(examples) if i not in test])
        for index in sorted(test):
            example = examples[index]
            labels = model.predict(example.text, example.spans)
            for rule, (label, _) in example.labels.items():
                gold.append(label)
                predicted.append(labels.get(rule, "NotMentioned"))
    gold_a, pred_a = np.array(gold), np.array(predicted)
    accuracy = float((gold_a == pred_a).mean())
    tp = int(((pred_a == "Contradiction") & (gold_a == "Contradiction")).sum())
    precision = tp / max(int((pred_a == "Contradiction").sum()), 1)
    recall = tp / max(int((gold_a == "Contradiction").sum()), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    per_class = {}
    for label in LABELS:
        hits = int(((pred_a == label) & (gold_a == label)).sum())
        p, r = hits / max(int((pred_a == label).sum()), 1), hits / max(int((gold_a == label).sum()), 1)
        per_class[label] = 2 * p * r / (p + r) if p + r else 0.0
    print(f"ContractNLI dev: {len(examples)} NDAs, {len(gold)} (NDA, rule) pairs, {args.folds}-fold CV")
    print(f"{'system':34s} {'accuracy':>9s} {'F1(Contr.)':>11s}")
    for name, (acc, f1_published) in PUBLISHED.items():
        print(f"{name:34s} {acc:9.3f} {f1_published:11.3f}")
    print(f"{'argentier rule checks (dev CV)':34s} {accuracy:9.3f} {f1:11.3f}")
    print("F1 per class: " + ", ".join(f"{label} {value:.3f}" for label, value in per_class.items()))
    print(f"seconds: {time.perf_counter() - started:.1f}")
    if args.json_out:
        Path(args.json_out).write_text(
            json.dumps(
                {"accuracy": accuracy, "f1_contradiction": f1, "f1_per_class": per_class, "pairs": len(gold)},
                indent=2,
            )
        )


if __name__ == "__main__":
    main()

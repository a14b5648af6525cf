"""Charts people would rather look at than read: precision, recall and alert volume per threshold (PNG)."""

from __future__ import annotations

from pathlib import Path

from argentier.fraud._metrics import ThresholdChoice


def threshold_chart(choice: ThresholdChoice, path: str | Path) -> Path:
    """Draw precision, recall and FPR (left axis) and alerts per day (right axis) against the threshold."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from argentier.fraud._model import write_atomic_bytes

    rows = choice.rows
    x = [row.threshold for row in rows]
    figure, left = plt.subplots(figsize=(8, 4.5), dpi=110)
    for name, label in (("precision", "precision"), ("recall", "recall"), ("false_positive_rate", "FPR")):
        left.plot(
            x,
            [getattr(row, name) if getattr(row, name) is not None else float("nan") for row in rows],
            label=label,
        )
    left.set_xlabel("score threshold (0-1000)")
    left.set_ylim(0, 1.02)
    right = left.twinx()
    right.plot(x, [row.alerts_per_day for row in rows], color="grey", linestyle="--", label="alerts/day")
    right.set_ylabel("alerts per day")
    if choice.chosen is not None:
        left.axvline(choice.chosen.threshold, color="black", linewidth=0.8)
    handles = left.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    left.legend(handles, [h.get_label() for h in handles], loc="center right")
    left.set_title("alerts and what they catch, per threshold")
    figure.tight_layout()
    from io import BytesIO

    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return write_atomic_bytes(path, buffer.getvalue())

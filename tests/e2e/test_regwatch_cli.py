"""The installed ``argentier regwatch`` commands, end to end."""

import json
import os
import subprocess
import sys
from pathlib import Path

ARGENTIER = str(Path(sys.executable).parent / "argentier")

UPDATE = """VAT rate change for e-books

Published 14 November 2026 by the Ministry of Finance.

From 1 January 2027 the reduced VAT rate of 5.5% applies to electronically supplied books. Sellers must update
their invoicing systems by 31 December 2026. The standard rate of 20% no longer applies to these supplies.
"""


def test_add_then_summarise_an_update(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("ARGENTIER_")}
    env["ARGENTIER_HOME"] = str(tmp_path / "home")
    notice = tmp_path / "notice.txt"
    notice.write_text(UPDATE)

    def run(*args):
        return subprocess.run([ARGENTIER, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

    added = run("regwatch", "add", str(notice), "--jurisdiction", "FR", "--json")
    assert added.returncode == 0, added.stderr
    assert "added" in added.stdout
    summary = run("regwatch", "summarise", str(notice), "--words", "40", "--json")
    assert summary.returncode == 0, summary.stderr
    data = json.loads(summary.stdout)
    text = notice.read_text()
    assert data["dates"]["effective"] == "2027-01-01"
    assert len(data["summary"].split()) <= 40
    assert data["sentences"] and all(sentence["text"] in text for sentence in data["sentences"])
    bad = run("regwatch", "add", str(notice), "--jurisdiction", "XX")
    assert bad.returncode == 1 and "XX" in bad.stderr and "Traceback" not in bad.stderr

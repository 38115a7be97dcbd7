"""``ordertrack analytics olist`` as a user runs it: its own process, the table on stdout, exclusions
on stderr, exit code 2 for files it cannot read."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from tests.unit.test_olist_ratings import write_fixture

# The process runs this tree's code whatever the working directory (the test runs it from tmp_path).
SOURCE = str(Path(__file__).resolve().parents[2] / "src")
PATH = os.pathsep.join(filter(None, (SOURCE, os.environ.get("PYTHONPATH"))))


def analytics(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ordertrack", "analytics", "olist", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": PATH},
    )


def test_csv_goes_to_stdout_and_the_exclusions_to_stderr(tmp_path: Path) -> None:
    write_fixture(tmp_path)
    run = analytics("--orders", "orders.csv", "--reviews", "reviews.csv", "--csv", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    rows = {r["class"]: r for r in csv.DictReader(io.StringIO(run.stdout))}
    assert rows["late (1 day or more)"]["mean_score"] == "1.8"
    assert rows["on time or early"]["share_5_stars"] == "0.5"
    assert "left out: 1 reviewed but shipped" in run.stderr
    assert "left out: 1 reviews of orders not in the orders file" in run.stderr


def test_unreadable_inputs_exit_with_2_and_a_message(tmp_path: Path) -> None:
    write_fixture(tmp_path)
    missing = analytics("--orders", "orders.csv", "--reviews", "absent.csv", cwd=tmp_path)
    assert missing.returncode == 2
    assert "error: --reviews: no such file: absent.csv" in missing.stderr
    (tmp_path / "bad.csv").write_text("order_id,review_score\nA,5\n", encoding="utf-8")
    columns = analytics("--orders", "orders.csv", "--reviews", "bad.csv", cwd=tmp_path)
    assert columns.returncode == 2
    assert "missing column(s) review_id, review_answer_timestamp" in columns.stderr
    assert "Traceback" not in columns.stderr

"""`iptcare score`: the console scorer, as a person runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_score(*args: str) -> subprocess.CompletedProcess[str]:
    environment = {"DJANGO_SETTINGS_MODULE": "iptcare.settings_test", "PATH": "/usr/bin:/bin"}
    return subprocess.run(  # noqa: S603 (our own command with fixed arguments)
        [sys.executable, "-m", "iptcare", "score", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env=environment,
    )


def test_it_prints_total_band_and_flags() -> None:
    result = run_score("PHQ-9", "1", "2", "1", "2", "1", "2", "1", "2", "1")
    assert result.returncode == 0, result.stderr
    assert "total: 13" in result.stdout
    assert "band: Moderate" in result.stdout
    assert "flags: item9-positive" in result.stdout


def test_it_prints_one_json_object() -> None:
    result = run_score("phq-9", "3", "3", "3", "3", "3", "3", "3", "3", "0", "--json")
    assert json.loads(result.stdout) == {"total": 24, "band": "severe", "subscales": {}, "flags": []}


def test_it_keeps_an_unanswered_item_missing() -> None:
    result = run_score("PHQ-9", "0", "0", "0", "-", "0", "0", "0", "0", "0", "--json")
    assert json.loads(result.stdout)["total"] is None


def test_it_fails_with_one_line_and_code_2_on_bad_input() -> None:
    cases = {
        ("NOPE", "1"): "unknown instrument 'NOPE'",
        ("PHQ-9", "1", "2"): "too few answers, none for item 3",
        ("PHQ-9", *["0"] * 11): "too many answers",
        ("PHQ-9", *["0"] * 8, "4"): "item 9: 4 is not an answer (allowed: 0, 1, 2, 3)",
    }
    for args, message in cases.items():
        result = run_score(*args)
        assert result.returncode == 2, args
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1
        assert message in result.stderr

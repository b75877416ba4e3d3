"""`iptcare score CODE ANSWER... [--sex female|male] [--json]`: score answers without storing anything.

Answers are the published answer values in item order (yes/no items take "yes" or "no"; "-" marks an unanswered
item). Problems print one line on stderr and exit with code 2.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from iptcare.measures.instruments import INSTRUMENTS, get_instrument
from iptcare.measures.scoring import AnswerError, Score, parse_answer_tokens, score

USAGE_ERROR = 2


def plain_number(value: float | None) -> float | int | None:
    """14.0 prints as 14; a mean keeps its decimals."""
    if value is not None and float(value).is_integer():
        return int(value)
    return value


def score_json(result: Score) -> dict[str, Any]:
    data: dict[str, Any] = {
        "total": plain_number(result.total),
        "band": result.band,
        "subscales": {key: plain_number(value) for key, value in result.subscales.items()},
        "flags": list(result.flags),
    }
    if result.is_screening:
        data["positive"] = result.positive
    return data


class Command(BaseCommand):
    help = "Score an instrument's answers (given in item order) and print total, band, subscales and flags."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="Instrument code: " + ", ".join(INSTRUMENTS))
        parser.add_argument("answers", nargs="*", help="Answer values in item order; '-' for an unanswered item.")
        parser.add_argument("--sex", choices=["female", "male"], help="Sex at birth, for sex-specific cut-offs.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, code: str, answers: list[str], sex: str | None, **options: Any) -> None:
        try:
            instrument = get_instrument(code)
        except KeyError:
            self._fail(f"unknown instrument {code!r} (known: {', '.join(INSTRUMENTS)})")
        try:
            result = score(instrument, parse_answer_tokens(instrument, answers), sex=sex)
        except AnswerError as error:
            self._fail(str(error))
        if options["json"]:
            self.stdout.write(json.dumps(score_json(result)))
            return
        self._print(instrument.name, result)

    def _fail(self, message: str) -> None:
        sys.stderr.write(f"iptcare score: {message}\n")
        raise SystemExit(USAGE_ERROR)

    def _print(self, name: str, result: Score) -> None:
        total = "incomplete" if result.total is None and result.missing else plain_number(result.total)
        lines = [f"{result.instrument} ({name}, version {result.version})"]
        if total is not None:
            lines.append(f"total: {total}")
        lines.append(f"band: {result.band_label or '—'}")
        for key, value in result.subscales.items():
            lines.append(f"subscale {key}: {plain_number(value) if value is not None else 'incomplete'}")
        if result.is_screening:
            lines.append(
                f"positive screen: {'unknown' if result.positive is None else 'yes' if result.positive else 'no'}"
            )
        lines.append(f"flags: {', '.join(result.flags) or 'none'}")
        if result.missing:
            lines.append(f"unanswered: items {', '.join(result.missing)}")
        self.stdout.write("\n".join(lines))

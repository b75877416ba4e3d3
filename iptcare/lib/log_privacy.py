"""Keeping client data and link tokens out of the logs.

Two things a log line could carry without anyone writing them on purpose:

- **Exception messages.** A logged traceback ends with the exception's message, and messages quote values: an
  e-mail server refusing a client's address names it, PostgreSQL's "duplicate key" names the key, a ValueError
  quotes what it could not parse. Outside DEBUG, tracebacks keep every frame and each exception's type, and withhold
  the message.
- **Tokens in paths.** Django logs the path of every 4xx and 5xx answer ("Gone: /r/<token>/"), and the path of a
  questionnaire link, a portal invitation, a reset link or a calendar address is the key to it. Long random path
  segments are replaced by "[token]".

Installed once as the log record factory (AccountsConfig.ready), so that every handler, whatever its formatter,
gets the cleaned record; names, identifiers and other record values are never written into log messages in the
first place (tests/security/test_no_client_data.py checks both).
"""

from __future__ import annotations

import logging
import re
import traceback
from types import TracebackType
from typing import Any

from django.conf import settings

WITHHELD = "[message withheld: it may quote client data]"
# A path segment that looks like a random token: 20+ URL-safe characters with a digit, or 32+ of them.
_TOKEN_SEGMENT = re.compile(r"(?<=/)(?=[A-Za-z0-9_\-:.=~]*\d)[A-Za-z0-9_\-:.=~]{20,}|(?<=/)[A-Za-z0-9_\-:.=~]{32,}")
# Loggers whose messages carry request paths.
_PATH_LOGGERS = ("django.request", "django.server", "django.security")

_installed = False


def redact_tokens(text: str) -> str:
    return _TOKEN_SEGMENT.sub("[token]", text)


def withheld_traceback(exc_info: tuple[type[BaseException], BaseException, TracebackType | None]) -> str:
    """The traceback as Python prints it, chained exceptions included, with each message replaced by WITHHELD."""
    _type, value, tb = exc_info
    return "".join(_format(value, tb, set())).rstrip("\n")


def _format(exc: BaseException, tb: TracebackType | None, seen: set[int]) -> list[str]:
    seen.add(id(exc))
    lines: list[str] = []
    cause, context = exc.__cause__, exc.__context__
    if cause is not None and id(cause) not in seen:
        lines += _format(cause, cause.__traceback__, seen)
        lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif context is not None and not exc.__suppress_context__ and id(context) not in seen:
        lines += _format(context, context.__traceback__, seen)
        lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    if tb is not None:
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_list(traceback.extract_tb(tb)))
    kind = type(exc)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    lines.append(f"{name}: {WITHHELD}\n")
    return lines


def _clean(record: logging.LogRecord) -> logging.LogRecord:
    if record.name.startswith(_PATH_LOGGERS):
        if isinstance(record.args, tuple):
            record.args = tuple(redact_tokens(arg) if isinstance(arg, str) else arg for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = redact_tokens(record.msg)
    if record.exc_info and record.exc_info[1] is not None and not settings.DEBUG:
        # Formatters use exc_text when it is set, instead of formatting exc_info themselves.
        record.exc_text = withheld_traceback(record.exc_info)  # type: ignore[arg-type]
    return record


def install() -> None:
    """Make every new log record a cleaned one (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _clean(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True

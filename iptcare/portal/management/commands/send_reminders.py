"""`iptcare send_reminders [--base-url URL] [--dry-run]`: e-mail clients who have something waiting in the portal.

Meant for cron, e.g. every hour from 8 to 20: each client gets at most one reminder a day, never in the
organization's quiet hours (see iptcare/portal/reminders.py for the rules). In a terminal it shows a progress bar;
in cron it prints one summary line.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from iptcare.portal.reminders import count_skips, decisions, send_reminder, summary

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "E-mail portal reminders to clients with something waiting (at most one a day, outside quiet hours)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            default=os.environ.get("IPTCARE_BASE_URL", ""),
            help="The site's address for the link in the e-mail, e.g. https://care.example.org "
            "(default: the IPTCARE_BASE_URL environment variable).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count who would get a reminder; send nothing.")

    def handle(self, *args: Any, base_url: str, dry_run: bool, **options: Any) -> None:
        if not base_url and not dry_run:
            raise CommandError("Give --base-url (or set IPTCARE_BASE_URL): the e-mail needs a link to the portal.")
        now = timezone.now()
        found = decisions(now)
        due = [decision for decision in found if decision.skip is None]
        skipped = count_skips(found)
        if dry_run:
            self.stdout.write(f"Would send {len(due)} reminder(s). Skipped: {summary(skipped)}.")
            return
        show_bar = self.stdout.isatty() and bool(due)
        sent = failed = 0
        for index, decision in enumerate(due, start=1):
            if send_reminder(decision.account, base_url=base_url, now=now):
                sent += 1
            else:
                failed += 1
            if show_bar:
                self._bar(index, len(due))
        if show_bar:
            self.stdout.write("")
        line = f"Sent {sent} reminder(s) of {len(due)} due. Skipped: {summary(skipped)}."
        if failed:
            line += f" Not sent: {failed} (already sent by another run, or the e-mail failed: see the log)."
        self.stdout.write(line)

    def _bar(self, done: int, total: int) -> None:
        filled = round(BAR_WIDTH * done / total)
        self.stdout.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}", ending="")
        self.stdout.flush()

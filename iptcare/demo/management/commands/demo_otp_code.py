"""`iptcare demo_otp_code EMAIL`: the current second-factor code of a demo account, for trying the demo.

It refuses every account outside the demo domain, so it cannot weaken a real account.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from iptcare.demo.management.commands.demo import DEMO_DOMAIN


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account (demo accounts only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        if not email.lower().endswith("@" + DEMO_DOMAIN):
            raise CommandError(f"Only accounts @{DEMO_DOMAIN} have demo codes.")
        device = TOTPDevice.objects.filter(user__email__iexact=email, confirmed=True).first()
        if device is None:
            raise CommandError(f"{email} has no authenticator set up.")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")

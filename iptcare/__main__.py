"""The `iptcare` console command: Django's management commands plus our own."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iptcare.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "iptcare"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()

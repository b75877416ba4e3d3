#!/usr/bin/env python
"""Django's manage.py; the same as the `iptcare` console command."""

from iptcare.__main__ import main

if __name__ == "__main__":
    main()

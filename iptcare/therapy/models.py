"""The sessions of an IPT episode and their notes (IPT-DOMAIN §1, §3)."""

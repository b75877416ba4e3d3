"""Closure of an IPT episode and the relapse-prevention plan (IPT-DOMAIN §8)."""

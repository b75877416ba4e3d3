"""Consents to disclose substance-use records, and the disclosures made under them (42 CFR Part 2; IPT-DOMAIN §10)."""

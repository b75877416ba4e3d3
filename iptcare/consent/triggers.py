"""Database triggers that keep consents, revocations and disclosures as they were written, on PostgreSQL and SQLite
(in the manner of iptcare/therapy/triggers.py).

- A consent is never deleted, and never changed, except that `superseded_at` is set once when a new version
  replaces it.
- A consent's recipients and named disclosers, revocations and disclosures are append-only: no UPDATE, no DELETE.

The migrations call `protect`; browser tests, which empty the database between tests, call `unprotect` for that
flush only (as tests/browser/conftest.py does for the other kept tables).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from iptcare.lib.trigger_sets import for_vendor, install, pg_trigger, remove

CONSENT = "consent_consent"
RECIPIENT = "consent_consentrecipient"
DISCLOSERS = "consent_consent_named_disclosers"
REVOCATION = "consent_consentrevocation"
DISCLOSURE = "consent_disclosure"
APPEND_ONLY = (RECIPIENT, DISCLOSERS, REVOCATION, DISCLOSURE)
TABLES = (CONSENT, *APPEND_ONLY)

# Every column of a consent that never changes. tests/consent/test_records.py checks that each column of the model is
# here or in CONSENT_COLUMNS_SET_ONCE, so a new column cannot slip past the lock.
CONSENT_FIXED_COLUMNS = (
    "id",
    "organization_id",
    "client_id",
    "series",
    "version",
    "supersedes_id",
    "kind",
    "discloser_kind",
    "categories",
    "information_description",
    "recipient_classes",
    "purposes",
    "purpose_other",
    "court_order_reference",
    "effective_from",
    "expiry_kind",
    "expires_on",
    "signer_kind",
    "signer_name",
    "representative_relationship",
    "signed_on",
    "acknowledged_statements",
    "statements_version",
    "recorded_by_id",
    "recorded_at",
)
CONSENT_COLUMNS_SET_ONCE = ("superseded_at",)

_CONSENT_MESSAGE = "a consent is kept as signed: record a new version or a revocation"
_KEEP_MESSAGE = "consent records and disclosures are kept as written"


def _consent_condition(operator: str) -> str:
    changed = " OR ".join(f"NEW.{column} {operator} OLD.{column}" for column in CONSENT_FIXED_COLUMNS)
    return f"OLD.superseded_at IS NOT NULL OR {changed}"


def _sqlite_statements() -> list[str]:
    def refuse(name: str, when: str, table: str, condition: str, message: str) -> str:
        where = f" WHEN {condition}" if condition else ""
        return (
            f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {when} ON {table}{where} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
        )

    statements = [
        refuse(f"{CONSENT}_guard", "UPDATE", CONSENT, _consent_condition("IS NOT"), _CONSENT_MESSAGE),
        refuse(f"{CONSENT}_no_delete", "DELETE", CONSENT, "", _CONSENT_MESSAGE),
    ]
    for table in APPEND_ONLY:
        statements += [
            refuse(f"{table}_no_update", "UPDATE", table, "", _KEEP_MESSAGE),
            refuse(f"{table}_no_delete", "DELETE", table, "", _KEEP_MESSAGE),
        ]
    return statements


def _postgresql_statements() -> list[str]:
    refuse_consent = f"RAISE EXCEPTION '{_CONSENT_MESSAGE}' USING ERRCODE = 'insufficient_privilege';"
    consent_guard = (
        f"IF TG_OP = 'DELETE' THEN {refuse_consent} END IF; "
        f"IF {_consent_condition('IS DISTINCT FROM')} THEN {refuse_consent} END IF; RETURN NEW;"
    )
    keep_rows = (
        "RAISE EXCEPTION 'rows of % are kept as written (% refused)', TG_TABLE_NAME, TG_OP "
        "USING ERRCODE = 'insufficient_privilege';"
    )
    statements = [
        f"CREATE OR REPLACE FUNCTION {CONSENT}_guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{consent_guard} END; $$;",
        "CREATE OR REPLACE FUNCTION consent_keep_rows() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{keep_rows} END; $$;",
    ]
    statements += pg_trigger(f"{CONSENT}_guard", "UPDATE OR DELETE", CONSENT, f"{CONSENT}_guard")
    for table in APPEND_ONLY:
        statements += pg_trigger(f"{table}_no_change", "UPDATE OR DELETE", table, "consent_keep_rows")
    for table in TABLES:
        statements += pg_trigger(f"{table}_no_truncate", "TRUNCATE", table, "consent_keep_rows", each="STATEMENT")
    return statements


def _trigger_names(vendor: str) -> list[tuple[str, str]]:
    """(trigger, table) of every trigger `protect` creates."""
    if vendor == "postgresql":
        names = [(f"{CONSENT}_guard", CONSENT)]
        names += [(f"{table}_no_change", table) for table in APPEND_ONLY]
        names += [(f"{table}_no_truncate", table) for table in TABLES]
        return names
    names = [(f"{CONSENT}_guard", CONSENT), (f"{CONSENT}_no_delete", CONSENT)]
    for table in APPEND_ONLY:
        names += [(f"{table}_no_update", table), (f"{table}_no_delete", table)]
    return names


def statements_for(vendor: str) -> list[str]:
    return for_vendor(vendor, postgresql=_postgresql_statements, sqlite=_sqlite_statements)


def protect(connection: BaseDatabaseWrapper) -> None:
    install(connection, statements_for(connection.vendor))


def unprotect(connection: BaseDatabaseWrapper) -> None:
    remove(connection, _trigger_names(connection.vendor))

"""The audit table's append-only triggers (kept as the entry point of migration 0002)."""

from django.db.backends.base.base import BaseDatabaseWrapper

from iptcare.lib import append_only

TABLE = "audit_auditevent"


def install(connection: BaseDatabaseWrapper) -> None:
    # Triggers of the first version had other names; drop them so that exactly one set stands.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS audit_event_no_change ON {TABLE};")
            cursor.execute(f"DROP TRIGGER IF EXISTS audit_event_no_truncate ON {TABLE};")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_update;")
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_delete;")
    append_only.protect(connection, TABLE)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    append_only.unprotect(connection, TABLE)

"""PostgreSQL: a trigger refuses UPDATE and DELETE on the audit table, whoever sends them.

The ORM already refuses (AuditEventQuerySet); this holds for raw SQL and other clients too. The app's
database role should also lack UPDATE, DELETE and TRUNCATE on the table (see README: the GRANT).
TRUNCATE is not refused by trigger because the test runner empties tables with it; the GRANT denies it.
A superuser can still disable the trigger: the keyed hash and the published heads catch that.
SQLite (development, demo) has no such trigger.
"""

from django.db import migrations

TABLE = "audit_auditevent"

CREATE = f"""
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only: % on % is refused.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE};
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""

DROP = f"""
DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE};
DROP FUNCTION IF EXISTS audit_event_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_rechain_under_hmac_key")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]

"""Refuse UPDATE and DELETE on audit events at the database itself."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit)
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
SQLITE_DROP = ["DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete"]

POSTGRES = [
    """CREATE FUNCTION audit_event_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_refuse()""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_refuse()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER audit_event_no_update ON audit_auditevent",
    "DROP TRIGGER audit_event_no_delete ON audit_auditevent",
    "DROP FUNCTION audit_event_refuse()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor[schema_editor.connection.vendor]:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        # SQLite only: a permit row exists only while the test framework empties
        # the database between tests (see conftest.py); the product never writes
        # to it. PostgreSQL empties tables with TRUNCATE, which row triggers let pass.
        migrations.RunSQL(
            "CREATE TABLE audit_purge_permit (id integer PRIMARY KEY)",
            "DROP TABLE audit_purge_permit",
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]

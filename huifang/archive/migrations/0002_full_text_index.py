"""The full-text index of the archive's words (VisitIndex.tokens), in each database's own way.

SQLite: an FTS5 table with external content (the words are stored once, in
archive_visitindex), its rowid the visit id, kept in step by triggers. The
unicode61 tokenizer splits on the spaces between jieba's words and leaves each
Chinese word whole.
PostgreSQL: a GIN index on to_tsvector('simple', tokens); the 'simple'
configuration only lower-cases, so the words stay as jieba cut them.
archive.selectors.archive_search queries exactly these.

Careful with later schema changes of archive_visitindex on SQLite: Django rebuilds
a table to alter a column, which drops its triggers; such a migration must create
them again (and rebuild the FTS5 table).
"""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE archive_visitindex_fts USING fts5(
         tokens, content='archive_visitindex', content_rowid='visit_id',
         tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER archive_visitindex_fts_insert AFTER INSERT ON archive_visitindex BEGIN
         INSERT INTO archive_visitindex_fts (rowid, tokens) VALUES (new.visit_id, new.tokens);
       END""",
    """CREATE TRIGGER archive_visitindex_fts_delete AFTER DELETE ON archive_visitindex BEGIN
         INSERT INTO archive_visitindex_fts (archive_visitindex_fts, rowid, tokens)
           VALUES ('delete', old.visit_id, old.tokens);
       END""",
    """CREATE TRIGGER archive_visitindex_fts_update AFTER UPDATE ON archive_visitindex BEGIN
         INSERT INTO archive_visitindex_fts (archive_visitindex_fts, rowid, tokens)
           VALUES ('delete', old.visit_id, old.tokens);
         INSERT INTO archive_visitindex_fts (rowid, tokens) VALUES (new.visit_id, new.tokens);
       END""",
    # Entries written before this migration (none in a new database).
    "INSERT INTO archive_visitindex_fts (archive_visitindex_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER archive_visitindex_fts_update",
    "DROP TRIGGER archive_visitindex_fts_delete",
    "DROP TRIGGER archive_visitindex_fts_insert",
    "DROP TABLE archive_visitindex_fts",
]

POSTGRES = [
    """CREATE INDEX archive_visitindex_tokens_gin ON archive_visitindex
         USING gin (to_tsvector('simple', tokens))""",
]
POSTGRES_DROP = ["DROP INDEX archive_visitindex_tokens_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_visit_index")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]

"""Suite-wide test set-up."""

import pytest
from django.db import connection

# Two branches with a user of every role (tests/conftest.py), for app tests too.
from tests.conftest import PASSWORD, tiny_questionnaires, two_branches, work  # noqa: F401


@pytest.fixture(autouse=True)
def _fixed_data_key(settings, tmp_path):
    # Files a test stores (attachments) go to its own folder, not the machine's data folder.
    settings.DATA_DIR = tmp_path
    # Every test encrypts with the same key, whatever the machine's data folder holds.
    settings.HUIFANG_DATA_KEY = "test-key-for-the-suite-only"
    settings.HUIFANG_LOOKUP_KEY = ""
    # Password hashing is deliberately slow; the suite creates hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The cache holds rate-limit counters per client address: no test inherits another's.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def audit_purge_permit(transactional_db):
    """Let the test framework empty the append-only audit table after a transactional test (SQLite).

    PostgreSQL empties tables with TRUNCATE, which the row triggers let pass.
    """
    yield
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT OR IGNORE INTO audit_purge_permit (id) VALUES (1)")

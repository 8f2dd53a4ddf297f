"""Fixtures of the archive tests: the suite's two branches, visits of each loan."""

import pytest

from huifang.followups.models import Visit
from tests.conftest import two_branches  # noqa: F401 — the shared fixture, used here too


@pytest.fixture
def visits_a(two_branches):  # noqa: F811
    """The planned visits of loan A-0001 (branch 甲, borrower 张伟), in id order."""
    return list(Visit.objects.filter(loan__loan_no="A-0001").order_by("pk"))


@pytest.fixture
def visits_b(two_branches):  # noqa: F811
    """The planned visits of loan B-0001 (branch 乙, borrower 王芳), in id order."""
    return list(Visit.objects.filter(loan__loan_no="B-0001").order_by("pk"))

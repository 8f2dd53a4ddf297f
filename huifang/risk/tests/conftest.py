"""Fixtures of the risk tests."""

import pytest

from huifang.portfolio.models import Loan


@pytest.fixture
def loan_a(two_branches) -> Loan:
    loan = Loan.objects.get(loan_no="A-0001")
    Loan.objects.filter(pk=loan.pk).update(officer=two_branches["officer"])
    loan.refresh_from_db()
    return loan

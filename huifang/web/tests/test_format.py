"""How amounts, rates and days past due are shown."""

from decimal import Decimal

import pytest

from huifang.web.templatetags.web_format import dpd_class, money, percent


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1066289.17"), "1,066,289.17"),
        (Decimal("0"), "0.00"),
        (Decimal("506266.9"), "506,266.90"),
        (None, ""),
    ],
)
def test_money(value, shown):
    assert money(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("0.04350000"), "4.35%"),
        (Decimal("0.12"), "12.00%"),
        (Decimal("0"), "0.00%"),
        (Decimal("0.04355"), "4.355%"),
        (Decimal("0.2399"), "23.99%"),
    ],
)
def test_percent(value, shown):
    assert percent(value) == shown


def test_dpd_is_red_from_the_first_day():
    assert dpd_class(0) == "badge-ok"
    assert "danger" in dpd_class(1) or "red" in dpd_class(1)
    assert dpd_class(31) == "badge-danger"

"""Where and when an on-site visit took place (evidence_check_onsite, at submission)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from huifang.evidence.models import EvidenceFlag, FlagKind
from huifang.evidence.services import evidence_check_onsite
from huifang.evidence.tests.conftest import local, site
from huifang.followups.calendar import WorkingCalendar
from huifang.followups.models import CalendarEntry

# The borrower's shop, and the officer's phone at the door (about 20 m away).
SHOP = ("31.230416", "121.473701")
AT_THE_DOOR = (Decimal("31.230600"), Decimal("121.473701"))
MONDAY_10AM = "2025-06-16T10:00"


def check(visit, when: str | datetime | None = MONDAY_10AM, where=AT_THE_DOOR, **kwargs):
    """What the submit service passes from the working record (VisitRecord)."""
    occurred_at = local(when) if isinstance(when, str) else when
    latitude, longitude = where if where else (None, None)
    flags = evidence_check_onsite(
        visit=visit, occurred_at=occurred_at, latitude=latitude, longitude=longitude, **kwargs
    )
    return {f.kind: f.detail for f in flags}


@pytest.fixture
def at_shop(world):
    site(world.visit_a, *SHOP)
    return world.visit_a


def test_a_visit_at_the_site_in_working_hours_raises_nothing(at_shop):
    assert check(at_shop) == {}
    assert not EvidenceFlag.objects.exists()


def test_a_visit_far_from_the_site_is_flagged_with_the_distance(at_shop, settings):
    settings.HUIFANG_ONSITE_MAX_DISTANCE_M = 1000
    # about 2.2 km north of the shop
    flags = check(at_shop, where=(Decimal("31.250416"), Decimal("121.473701")))
    assert flags == {"far_from_site": {"distance_m": 2224, "max_distance_m": 1000}}
    flag = EvidenceFlag.objects.get(visit=at_shop)
    assert flag.text == "回访位置距借款人经营地址约 2,224 米，超过允许的 1,000 米。"
    assert not flag.is_informational


def test_a_visit_without_a_location_is_flagged(at_shop):
    assert check(at_shop, where=None) == {"no_location": {}}
    # with no time either, only the location is judged
    assert check(at_shop, when=None, where=None) == {"no_location": {}}


def test_a_borrower_without_site_coordinates_is_noted_not_warned(world):
    site(world.visit_a, None, None)
    flags = check(world.visit_a)
    assert flags == {"no_site_location": {}}
    assert EvidenceFlag.objects.get(visit=world.visit_a).is_informational


@pytest.mark.parametrize(
    ("when", "detail"),
    [
        ("2025-06-16T19:05", {"occurred_at": "2025-06-16 19:05", "working_day": True}),
        ("2025-06-16T07:59", {"occurred_at": "2025-06-16 07:59", "working_day": True}),
        # a Saturday that is a rest day
        ("2025-03-08T10:00", {"occurred_at": "2025-03-08 10:00", "working_day": False}),
        # National Day, a Wednesday
        ("2025-10-01T10:00", {"occurred_at": "2025-10-01 10:00", "working_day": False}),
    ],
)
def test_a_visit_outside_working_hours_or_days_is_flagged(at_shop, when, detail):
    assert check(at_shop, when) == {"off_hours": {**detail, "hours": "08:30-18:30"}}


def test_a_saturday_that_is_a_make_up_working_day_is_a_working_day(at_shop):
    # 2025-02-08 (Saturday) was worked in exchange for the Spring Festival holiday
    assert check(at_shop, "2025-02-08T10:00") == {}


def test_times_are_judged_in_local_time(at_shop):
    assert check(at_shop, datetime(2025, 6, 16, 1, 0, tzinfo=UTC)) == {}  # 09:00 in Beijing
    flags = check(at_shop, datetime(2025, 6, 16, 11, 0, tzinfo=UTC))  # 19:00 in Beijing
    assert flags["off_hours"]["occurred_at"] == "2025-06-16 19:00"


def test_the_institutions_calendar_and_hours_apply(at_shop, settings):
    # the institution closed on that Monday, and works 09:00-17:00
    CalendarEntry.objects.create(day=date(2025, 6, 16), working=False)
    assert check(at_shop)["off_hours"]["working_day"] is False
    settings.HUIFANG_WORKING_HOURS = "09:00-17:00"
    assert check(at_shop, "2025-06-17T17:30")["off_hours"]["hours"] == "09:00-17:00"
    # a calendar passed in is used as it is
    assert check(at_shop, "2025-06-17T10:00", calendar=WorkingCalendar()) == {}


def test_checking_again_adds_no_second_flag_and_keeps_the_latest_detail(at_shop):
    far = (Decimal("31.250416"), Decimal("121.473701"))
    check(at_shop, "2025-06-16T20:00", where=far)
    first = set(EvidenceFlag.objects.values_list("pk", flat=True))
    check(at_shop, "2025-06-16T20:00", where=far)
    assert set(EvidenceFlag.objects.values_list("pk", flat=True)) == first

    # a resubmission from farther away updates the distance
    check(at_shop, "2025-06-16T20:00", where=(Decimal("31.260416"), Decimal("121.473701")))
    flag = EvidenceFlag.objects.get(kind=FlagKind.FAR_FROM_SITE)
    assert flag.detail["distance_m"] == 3336
    assert EvidenceFlag.objects.count() == 2

"""Editable follow-up policies: stored as versions, chosen per product, previewed, planned with.

followup-policy.md: "The product ships this policy as data (rules an admin can copy
and change per product, term class and risk level)".
"""

import importlib
import json
from dataclasses import asdict, replace
from datetime import date

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from huifang.accounts.gate import SYSTEM
from huifang.accounts.models import Branch, Role, User
from huifang.audit.models import AuditEvent
from huifang.audit.services import Actor
from huifang.followups.calendar import WorkingCalendar
from huifang.followups.models import FollowupPolicy, PolicyVersion, Visit
from huifang.followups.planning import plan_loan
from huifang.followups.policy import (
    DEFAULT_PERIODIC_STEPS,
    DEFAULT_POLICY,
    LONG,
    MEDIUM,
    Candidate,
    ChannelRule,
    Policy,
    Rule,
    default_rules,
)
from huifang.followups.policy_data import PolicyDataError, policy_from_data, policy_to_data
from huifang.followups.services.planning import loans_to_plan, plan_followups
from huifang.followups.services.policies import (
    PolicyBook,
    policy_copy_for_product,
    policy_for_product,
    policy_preview,
    policy_save,
)
from huifang.portfolio.models import Loan
from huifang.portfolio.services.imports import import_file

SYSTEM_ACTOR = Actor(user_id=None, name="system", via="command")
BUSINESS = "小微经营贷"
CONSUMER = "个人消费贷"

HEADER = (
    "loan_no,borrower_name,borrower_type,borrower_id_no,borrower_phone,product,principal,"
    "annual_rate,term_months,disbursement_date,maturity_date,repayment_method,purpose,"
    "risk_level,branch,officer,guarantor_name,guarantor_id_no,guarantor_phone"
)


def loan_row(loan_no: str, product: str, *, term: int = 24, risk: str = "medium") -> str:
    return (
        f"{loan_no},张伟,individual,110105199003074472,13812345678,{product},120000,0.0435,"
        f"{term},2025-01-15,,equal_installment,经营周转,{risk},甲分行,,李娜,"
        "110105198805061230,13912345678"
    )


def import_loans(*rows: str) -> None:
    data = "\n".join([HEADER, *rows]).encode() + b"\n"
    report = import_file(
        kind="loans", data=data, filename="loans.csv", user=SYSTEM, actor=SYSTEM_ACTOR
    )
    assert report.applied, [str(e) for e in report.errors]


def default_policy() -> FollowupPolicy:
    return FollowupPolicy.objects.get(product="")


def with_step(policy: Policy, term_class: str, risk_level: str, step: int | None) -> Policy:
    """`policy` with the borrower's periodic step of one rule changed (the default rule shape)."""
    steps = {(r.term_class, r.risk_level): r.periodic_step() for r in policy.rules}
    steps[(term_class, risk_level)] = step
    return replace(policy, rules=default_rules(steps))


MONTHLY_LONG_MEDIUM = policy_to_data(with_step(DEFAULT_POLICY, LONG, MEDIUM, 1))


def periodic_dates(loan_no: str) -> list[date]:
    return list(
        Visit.objects.filter(loan__loan_no=loan_no, kind="periodic")
        .order_by("due_date")
        .values_list("due_date", flat=True)
    )


# --- data <-> Policy ----------------------------------------------------------------------


def test_the_default_policy_round_trips_through_json_exactly():
    data = policy_to_data(DEFAULT_POLICY)
    assert policy_from_data(json.loads(json.dumps(data))) == DEFAULT_POLICY
    assert policy_to_data(policy_from_data(data)) == data
    # the format is the dataclasses' own: GET /policy answers as it always did
    assert json.loads(json.dumps(asdict(DEFAULT_POLICY))) == data


candidates = st.builds(
    lambda kind, role, anchor, dated, n, order: Candidate(
        kind,
        role,
        anchor,
        offset_days=n if dated else None,
        step_months=None if dated else max(1, abs(n) % 121),
        order=order,
    ),
    st.sampled_from(["first", "d90", "periodic", "pre_maturity"]),
    st.sampled_from(["borrower", "guarantor"]),
    st.sampled_from(["disbursement", "maturity"]),
    st.booleans(),
    st.integers(-3650, 3650),
    st.integers(0, 20),
)
channel_rules = st.builds(
    ChannelRule,
    channel=st.sampled_from(["phone", "onsite", "online", "video"]),
    kind=st.none() | st.sampled_from(["first", "periodic"]),
    subject_role=st.none() | st.sampled_from(["borrower", "guarantor"]),
    borrower_type=st.none() | st.sampled_from(["individual", "enterprise"]),
    risk_level=st.none() | st.sampled_from(["low", "medium", "high"]),
)


@st.composite
def policies(draw):
    keys = draw(st.lists(st.sampled_from(list(DEFAULT_PERIODIC_STEPS)), unique=True))
    return Policy(
        rules=tuple(Rule(t, r, tuple(draw(st.lists(candidates, max_size=6)))) for t, r in keys),
        channel_rules=tuple(draw(st.lists(channel_rules, max_size=4))),
        default_channel=draw(st.sampled_from(["phone", "video"])),
        short_term_max_months=draw(st.integers(1, 360)),
        collision_days=draw(st.integers(0, 90)),
        default_risk_level=draw(st.sampled_from(["low", "medium", "high"])),
    )


@given(policies())
def test_any_policy_round_trips_through_json_exactly(policy):
    data = json.loads(json.dumps(policy_to_data(policy)))
    assert policy_from_data(data) == policy
    assert policy_to_data(policy_from_data(data)) == data


def test_data_of_the_wrong_shape_is_refused_naming_the_field():
    data = policy_to_data(DEFAULT_POLICY)
    data["rules"][2]["candidates"][0]["offset_days"] = "30"
    with pytest.raises(PolicyDataError) as caught:
        policy_from_data(data)
    assert caught.value.field == "rules.2.candidates.0.offset_days"


# --- the migration ------------------------------------------------------------------------


def test_the_migration_installs_the_default_policy_as_version_1(db):
    # given a freshly migrated database
    # then the default policy (no product) has one version, active, equal to DEFAULT_POLICY
    policy_obj = default_policy()
    [version] = policy_obj.versions.all()
    assert (version.number, version.active) == (1, True)
    assert policy_from_data(version.rules) == DEFAULT_POLICY
    assert version.rules == policy_to_data(DEFAULT_POLICY)
    assert policy_for_product("任何产品") == DEFAULT_POLICY


def test_the_data_migration_reverses_and_reapplies(db):
    migration = importlib.import_module("huifang.followups.migrations.0003_default_followup_policy")
    # when it is reversed, the default policy and its versions are gone
    migration.delete_default_policy(apps, None)
    assert not FollowupPolicy.objects.exists() and not PolicyVersion.objects.exists()
    # and the planner falls back to the built-in policy
    assert policy_for_product(CONSUMER) == DEFAULT_POLICY
    # when it is applied again, it is back as it was
    migration.create_default_policy(apps, None)
    assert policy_from_data(default_policy().versions.get(number=1).rules) == DEFAULT_POLICY


# --- saving a version ---------------------------------------------------------------------


@pytest.fixture
def admin(db):
    return User.objects.create_user(username="admin_hq", role=Role.ADMIN)


@pytest.fixture
def two_products(db):
    """Two 24-month medium-risk loans (quarterly visits by default), one of each product, planned."""
    import_loans(loan_row("JY-1", BUSINESS), loan_row("XF-1", CONSUMER))
    plan_followups(as_of=date(2025, 1, 1), actor=SYSTEM_ACTOR)
    assert not loans_to_plan().exists()


def test_saving_creates_version_2_and_keeps_version_1(admin, two_products):
    # given the default policy at version 1
    policy_obj = default_policy()
    v1_rules = policy_obj.versions.get(number=1).rules

    # when an admin saves monthly visits for medium-risk long-term loans
    version = policy_save(
        policy_obj=policy_obj,
        data=MONTHLY_LONG_MEDIUM,
        note="中风险中长期改为每月回访",
        actor=Actor(user_id=admin.pk, name=admin.username),
    )

    # then version 2 is active and version 1 is still there, unchanged and inactive
    assert (version.number, version.active, version.created_by) == (2, True, admin)
    v1 = policy_obj.versions.get(number=1)
    assert (v1.active, v1.rules) == (False, v1_rules)
    assert list(policy_obj.versions.filter(active=True)) == [version]
    assert policy_for_product(CONSUMER) == with_step(DEFAULT_POLICY, LONG, MEDIUM, 1)
    # and the change is audited with both version numbers and what changed
    event = AuditEvent.objects.get(action="update", object_type="followups.followuppolicy")
    assert event.actor_name == admin.username
    assert event.before == {"version": 1}
    assert event.after["version"] == 2
    assert event.after["changes"] == ["中长期·中风险 借款人定期回访: 每3个月 → 每1个月"]
    # and every loan the default governs is to be planned again
    assert set(loans_to_plan().values_list("loan_no", flat=True)) == {"JY-1", "XF-1"}


def test_saving_a_product_policy_marks_that_products_loans_only(admin, two_products):
    policy_obj = policy_copy_for_product(product=BUSINESS, actor=SYSTEM_ACTOR)
    assert not loans_to_plan().exists()  # a copy plans as before

    policy_save(policy_obj=policy_obj, data=MONTHLY_LONG_MEDIUM, note="", actor=SYSTEM_ACTOR)

    assert list(loans_to_plan().values_list("loan_no", flat=True)) == ["JY-1"]


def test_saving_the_default_leaves_products_with_their_own_policy_alone(admin, two_products):
    policy_copy_for_product(product=BUSINESS, actor=SYSTEM_ACTOR)

    policy_save(policy_obj=default_policy(), data=MONTHLY_LONG_MEDIUM, note="", actor=SYSTEM_ACTOR)

    assert list(loans_to_plan().values_list("loan_no", flat=True)) == ["XF-1"]


def invalid(mutate) -> dict:
    data = policy_to_data(DEFAULT_POLICY)
    mutate(data)
    return data


def _long_medium(data: dict) -> dict:
    return next(
        r for r in data["rules"] if (r["term_class"], r["risk_level"]) == ("long", "medium")
    )


def _zero_step(data: dict) -> None:
    _long_medium(data)["candidates"][-1]["step_months"] = 0


def _unknown_channel(data: dict) -> None:
    data["channel_rules"][0]["channel"] = "wechat"


def _missing_rule(data: dict) -> None:
    data["rules"].remove(_long_medium(data))


def _wide_window(data: dict) -> None:
    data["collision_days"] = 91


def _far_offset(data: dict) -> None:
    data["rules"][0]["candidates"][0]["offset_days"] = 3651


def _unknown_kind(data: dict) -> None:
    data["rules"][0]["candidates"][0]["kind"] = "adhoc"


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (_zero_step, "rules.4.candidates.5.step_months", "中长期·中风险"),
        (_unknown_channel, "channel_rules.0.channel", "wechat"),
        (_missing_rule, "rules", "缺少中长期·中风险的规则"),
        (_wide_window, "collision_days", "冲突窗口"),
        (_far_offset, "rules.0.candidates.0.offset_days", "偏移天数"),
        (_unknown_kind, "rules.0.candidates.0.kind", "adhoc"),
    ],
    ids=["step 0", "unknown channel", "missing rule", "window 91", "offset 3651", "adhoc kind"],
)
def test_invalid_data_is_refused_naming_the_field_and_nothing_is_saved(
    two_products, mutate, field, words
):
    # given the default policy and the audit trail as they are
    versions, events = PolicyVersion.objects.count(), AuditEvent.objects.count()

    # when invalid data is saved
    with pytest.raises(ValidationError) as caught:
        policy_save(policy_obj=default_policy(), data=invalid(mutate), note="", actor=SYSTEM_ACTOR)

    # then the error names the field, in Chinese, and nothing changed
    errors = caught.value.message_dict
    assert field in errors, errors
    assert words in errors[field][0]
    assert (PolicyVersion.objects.count(), AuditEvent.objects.count()) == (versions, events)
    assert default_policy().versions.get(active=True).number == 1
    assert not loans_to_plan().exists()


def test_saving_the_same_rules_again_is_refused(db):
    with pytest.raises(ValidationError) as caught:
        policy_save(
            policy_obj=default_policy(),
            data=policy_to_data(DEFAULT_POLICY),
            note="",
            actor=SYSTEM_ACTOR,
        )
    assert "第 1 版相同" in caught.value.message_dict["data"][0]
    assert PolicyVersion.objects.count() == 1


def test_a_product_has_at_most_one_policy(db):
    policy_copy_for_product(product=BUSINESS, actor=SYSTEM_ACTOR)
    with pytest.raises(ValidationError) as caught:
        policy_copy_for_product(product=BUSINESS, actor=SYSTEM_ACTOR)
    assert "已有回访策略" in caught.value.message_dict["product"][0]


# --- planning with the product's policy ---------------------------------------------------


def test_a_product_policy_plans_monthly_visits_for_that_products_loans_only(two_products):
    # given the two loans planned quarterly under the default policy
    consumer_before = periodic_dates("XF-1")
    assert len(consumer_before) == 6  # months 6, 9, ..., 21 of 24; month 3 is the d90 visit

    # when the business loan product gets monthly visits for medium-risk long-term loans
    policy_obj = policy_copy_for_product(product=BUSINESS, actor=SYSTEM_ACTOR)
    policy_save(policy_obj=policy_obj, data=MONTHLY_LONG_MEDIUM, note="", actor=SYSTEM_ACTOR)
    run = plan_followups(as_of=date(2025, 1, 1), actor=SYSTEM_ACTOR)

    # then only the business loan is planned again, with monthly periodic visits
    assert run.loans_planned == 1
    business = periodic_dates("JY-1")
    assert len(business) > 2 * len(consumer_before)
    loan = Loan.objects.select_related("borrower").get(loan_no="JY-1")
    expected = plan_loan(
        disbursement_date=loan.disbursement_date,
        maturity_date=loan.maturity_date,
        term_months=loan.term_months,
        risk_level=loan.risk_level,
        borrower_type=loan.borrower.kind,
        guarantor_ids=list(loan.parties.filter(role="guarantor").values_list("pk", flat=True)),
        calendar=WorkingCalendar(),
        policy=with_step(DEFAULT_POLICY, LONG, MEDIUM, 1),
        as_of=date(2025, 1, 1),
    )
    assert business == sorted(v.due_date for v in expected if v.kind == "periodic")
    # and the consumer loan keeps its quarterly visits
    assert periodic_dates("XF-1") == consumer_before


def test_a_policy_saved_during_a_run_is_picked_up_by_the_next_chunk(two_products):
    # given a run's policy book, loaded before the policy changed
    book = PolicyBook()
    policy_obj = policy_copy_for_product(product=BUSINESS, actor=SYSTEM_ACTOR)
    policy_save(policy_obj=policy_obj, data=MONTHLY_LONG_MEDIUM, note="", actor=SYSTEM_ACTOR)
    assert book.for_product(BUSINESS) == DEFAULT_POLICY

    # when the next chunk refreshes it, it plans with the saved version
    book.refresh()
    assert book.for_product(BUSINESS) == with_step(DEFAULT_POLICY, LONG, MEDIUM, 1)
    assert book.for_product(CONSUMER) == DEFAULT_POLICY


# --- preview ------------------------------------------------------------------------------


def test_the_preview_shows_the_edited_plan_and_saves_nothing(two_products):
    loan = Loan.objects.select_related("borrower").get(loan_no="XF-1")
    before = (
        PolicyVersion.objects.count(),
        AuditEvent.objects.count(),
        Visit.objects.count(),
        loan.plan_changed_at,
    )

    preview = policy_preview(
        policy_obj=default_policy(),
        loan=loan,
        data=MONTHLY_LONG_MEDIUM,
        calendar=WorkingCalendar(),
    )

    current = [v.due_date for v in preview.current if v.kind == "periodic"]
    edited = [v.due_date for v in preview.edited if v.kind == "periodic"]
    assert len(current) == 6 and len(edited) > 12
    assert preview.governed_by is None
    loan.refresh_from_db()
    after = (
        PolicyVersion.objects.count(),
        AuditEvent.objects.count(),
        Visit.objects.count(),
        loan.plan_changed_at,
    )
    assert after == before


def test_the_preview_says_when_another_policy_plans_the_loan(two_products):
    own = policy_copy_for_product(product=CONSUMER, actor=SYSTEM_ACTOR)
    preview = policy_preview(
        policy_obj=default_policy(),
        loan=Loan.objects.select_related("borrower").get(loan_no="XF-1"),
        data=MONTHLY_LONG_MEDIUM,
        calendar=WorkingCalendar(),
    )
    assert preview.governed_by == own


# --- pages and endpoints ------------------------------------------------------------------


@pytest.fixture
def users(db):
    branch = Branch.objects.create(name="甲分行")
    return {
        role: User.objects.create_user(
            username=f"{role}_p", role=role, branch=None if role == Role.ADMIN else branch
        )
        for role in Role.values
    }


def edit_form(**changes: str) -> dict[str, str]:
    """The editor's form as it opens for the default policy, with `changes`."""
    form = {
        "first_days": "30",
        "d90_days": "90",
        "pre_maturity_days": "30",
        "collision_days": "15",
        "default_channel": "phone",
        "channel_0": "onsite",
        "channel_1": "phone",
        "channel_2": "online",
        "step_short_low": "",
        "step_short_medium": "",
        "step_short_high": "1",
        "step_long_low": "6",
        "step_long_medium": "3",
        "step_long_high": "1",
        "note": "",
        "loan_no": "",
    }
    form.update(changes)
    return form


def pages(policy_id: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("GET", "/policies/", None),
        ("GET", "/policies/new/", None),
        ("POST", "/policies/new/", {"product": BUSINESS}),
        ("GET", f"/policies/{policy_id}/", None),
        ("GET", f"/policies/{policy_id}/versions/1/", None),
        ("GET", f"/policies/{policy_id}/edit/", None),
        ("POST", f"/policies/{policy_id}/edit/", edit_form(step_long_medium="1", save="1")),
    ]


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_only_admins_reach_the_policy_pages_and_write_endpoints(users, client, role):
    client.force_login(users[role])
    policy_id = default_policy().pk
    for method, path, data in pages(policy_id):
        response = client.post(path, data) if method == "POST" else client.get(path)
        assert response.status_code == 403, (method, path)
    api = "/api/v1/policies"
    writes = [
        (api, {"product": BUSINESS}),
        (f"{api}/{policy_id}/versions", {"data": MONTHLY_LONG_MEDIUM}),
        (f"{api}/{policy_id}/preview", {"loan_no": "XF-1", "data": MONTHLY_LONG_MEDIUM}),
    ]
    for path, body in writes:
        response = client.post(path, json.dumps(body), content_type="application/json")
        assert response.status_code == 403, path
    assert PolicyVersion.objects.count() == 1 and FollowupPolicy.objects.count() == 1
    assert AuditEvent.objects.filter(action="access_denied", actor_name=users[role].username)
    # reading the policies is for everyone who reads loans
    assert client.get(api).status_code == 200
    assert client.get(f"{api}/{policy_id}").status_code == 200


def test_an_admin_reads_a_policy_as_tables_with_its_history(users, client):
    client.force_login(users[Role.ADMIN])
    policy_obj = default_policy()
    policy_save(policy_obj=policy_obj, data=MONTHLY_LONG_MEDIUM, note="按月", actor=SYSTEM_ACTOR)

    page = client.get(f"/policies/{policy_obj.pk}/").content.decode()
    assert "默认回访策略" in page and "第 2 版" in page and "按月" in page
    assert "每 1 个月" in page and "首次回访" in page and "实地" in page
    assert f'href="/policies/{policy_obj.pk}/versions/1/"' in page

    old = client.get(f"/policies/{policy_obj.pk}/versions/1/").content.decode()
    assert "历史版本" in old and "每 3 个月" in old
    listing = client.get("/policies/").content.decode()
    assert f'href="/policies/{policy_obj.pk}/"' in listing and "第 2 版" in listing


def test_an_admin_previews_then_saves_in_the_editor(users, client, two_products):
    client.force_login(users[Role.ADMIN])
    policy_obj = default_policy()
    url = f"/policies/{policy_obj.pk}/edit/"
    assert client.get(url).status_code == 200

    # when they preview monthly visits on a loan
    page = client.post(url, edit_form(step_long_medium="1", loan_no="XF-1", preview="1"))

    # then the page shows both plans and nothing is saved
    assert page.status_code == 200
    assert len(page.context["edited_rows"]) > len(page.context["current_rows"])
    assert page.context["added"] > 0
    assert "修改后的策略" in page.content.decode()
    assert PolicyVersion.objects.count() == 1 and not loans_to_plan().exists()

    # when they save
    saved = client.post(url, edit_form(step_long_medium="1", note="按月", save="1"))

    # then version 2 is the policy's active one
    assert saved.status_code == 302 and saved["Location"] == f"/policies/{policy_obj.pk}/"
    version = policy_obj.versions.get(active=True)
    assert (version.number, version.note) == (2, "按月")
    assert policy_from_data(version.rules) == with_step(DEFAULT_POLICY, LONG, MEDIUM, 1)


def test_the_editor_shows_what_is_wrong_and_saves_nothing(users, client, two_products):
    client.force_login(users[Role.ADMIN])
    url = f"/policies/{default_policy().pk}/edit/"

    unknown = client.post(url, edit_form(loan_no="NOPE-1", preview="1"))
    assert "找不到借款合同编号" in unknown.content.decode()
    zero = client.post(url, edit_form(step_long_medium="0", save="1"))
    assert zero.status_code == 200 and zero.context["form"].errors["step_long_medium"]
    same = client.post(url, edit_form(save="1"))
    assert "第 1 版相同" in same.content.decode()
    assert PolicyVersion.objects.count() == 1


def test_an_admin_copies_the_default_for_a_product(users, client):
    client.force_login(users[Role.ADMIN])

    response = client.post("/policies/new/", {"product": BUSINESS, "name": ""})

    policy_obj = FollowupPolicy.objects.get(product=BUSINESS)
    assert response.status_code == 302
    assert response["Location"] == f"/policies/{policy_obj.pk}/edit/"
    assert policy_obj.name == f"{BUSINESS}回访策略"
    assert policy_from_data(policy_obj.versions.get(active=True).rules) == DEFAULT_POLICY
    again = client.post("/policies/new/", {"product": BUSINESS})
    assert "已有回访策略" in again.content.decode()


def test_the_api_lists_reads_saves_and_previews(users, client, two_products):
    client.force_login(users[Role.ADMIN])
    policy_id = default_policy().pk
    api = "/api/v1/policies"

    [listed] = client.get(api).json()
    assert (listed["id"], listed["product"], listed["active_version"]) == (policy_id, "", 1)

    preview = client.post(
        f"{api}/{policy_id}/preview",
        json.dumps({"loan_no": "XF-1", "data": MONTHLY_LONG_MEDIUM}),
        content_type="application/json",
    ).json()
    assert len(preview["edited"]) > len(preview["current"])
    assert PolicyVersion.objects.count() == 1

    bad = client.post(
        f"{api}/{policy_id}/versions",
        json.dumps({"data": invalid(_zero_step)}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert "rules.4.candidates.5.step_months" in bad.json()["detail"]

    saved = client.post(
        f"{api}/{policy_id}/versions",
        json.dumps({"data": MONTHLY_LONG_MEDIUM, "note": "按月"}),
        content_type="application/json",
    )
    assert saved.status_code == 201
    assert (saved.json()["number"], saved.json()["data"]) == (2, MONTHLY_LONG_MEDIUM)

    detail = client.get(f"{api}/{policy_id}").json()
    assert detail["active_version"] == 2 and detail["data"] == MONTHLY_LONG_MEDIUM
    assert [(v["number"], v["active"]) for v in detail["versions"]] == [(2, True), (1, False)]
    old = client.get(f"{api}/{policy_id}/versions/1").json()
    assert old["data"] == policy_to_data(DEFAULT_POLICY)
    assert client.get("/api/v1/policy").json() == MONTHLY_LONG_MEDIUM


def test_a_version_is_never_edited(db):
    version = default_policy().versions.get()
    version.note = "改过"
    with pytest.raises(ValueError, match="never edited"):
        version.save()

"""Every role × every API endpoint × a loan of another branch: the one gate decides.

The table below must name every route of the API (a test checks it), so a new
endpoint cannot skip the matrix.
"""

import importlib
import io
import pkgutil
from collections.abc import Callable

import pytest
from django.urls import URLResolver, get_resolver

from huifang.accounts.models import Role, User
from huifang.api.api import api
from huifang.audit.models import AuditEvent
from huifang.followups.models import Visit
from huifang.followups.policy import DEFAULT_POLICY
from huifang.followups.policy_data import policy_to_data
from huifang.portfolio.models import Loan, Repayment

OF, RV, RM, AD, AU = Role.OFFICER, Role.REVIEWER, Role.RISK_MANAGER, Role.ADMIN, Role.AUDITOR
EVERYONE = {OF, RV, RM, AD, AU}

# (method, path, body, roles allowed for branch B's loan when the user sits in branch A)
LOAN_B = "B-0001"
# The default follow-up policy (id 1, from the data migration), edited: a 20-day window.
POLICY_EDIT = {**policy_to_data(DEFAULT_POLICY), "collision_days": 20}
API_CASES = [
    ("GET", f"/api/v1/loans/{LOAN_B}", None, {RM, AD, AU}),
    ("PATCH", f"/api/v1/loans/{LOAN_B}", {"risk_level": "high"}, {RM, AD}),
    ("GET", f"/api/v1/loans/{LOAN_B}/parties", None, {RM, AD, AU}),
    ("GET", f"/api/v1/loans/{LOAN_B}/collateral", None, {RM, AD, AU}),
    ("GET", f"/api/v1/loans/{LOAN_B}/schedules", None, {RM, AD, AU}),
    ("GET", f"/api/v1/loans/{LOAN_B}/schedule", None, {RM, AD, AU}),
    ("GET", f"/api/v1/loans/{LOAN_B}/repayments", None, {RM, AD, AU}),
    (
        "POST",
        f"/api/v1/loans/{LOAN_B}/repayments",
        {"paid_date": "2025-03-20", "amount": "100.00"},
        {RM, AD},
    ),
    ("GET", f"/api/v1/loans/{LOAN_B}/dpd", None, {RM, AD, AU}),
    ("GET", "/api/v1/loans", None, EVERYONE),
    ("POST", "/api/v1/imports/repayments", "file", {RM, AD}),
    ("GET", "/api/v1/branches", None, EVERYONE),
    ("GET", "/api/v1/me", None, EVERYONE),
    ("GET", "/api/v1/tokens", None, EVERYONE),
    ("POST", "/api/v1/tokens", {"name": "ci"}, EVERYONE),
    ("DELETE", "/api/v1/tokens/999999", None, set()),  # not one's own token: 404 for all
    ("GET", "/api/v1/audit/events", None, {AD, AU}),
    ("POST", "/api/v1/audit/verify", None, {AD, AU}),
    ("GET", "/api/v1/visits", None, EVERYONE),
    ("GET", "/api/v1/visits/due", None, EVERYONE),
    ("POST", "/api/v1/visits/{visit_b}/assign", {"assignee": None}, {RM, AD}),
    ("GET", "/api/v1/absences", None, {RV, RM, AD}),
    (
        "POST",
        "/api/v1/absences",
        {"user": "officer_b", "start": "2025-03-01", "end": "2025-03-05"},
        {RM, AD},
    ),
    ("DELETE", "/api/v1/absences/999999", None, set()),
    ("GET", "/api/v1/calendar", None, EVERYONE),
    ("POST", "/api/v1/calendar", {"day": "2030-01-02", "working": False}, {AD}),
    ("GET", "/api/v1/policy", None, EVERYONE),
    ("GET", "/api/v1/policies", None, EVERYONE),
    ("POST", "/api/v1/policies", {"product": "经营贷"}, {AD}),
    ("GET", "/api/v1/policies/1", None, EVERYONE),
    ("GET", "/api/v1/policies/1/versions/1", None, EVERYONE),
    ("POST", "/api/v1/policies/1/versions", {"data": POLICY_EDIT}, {AD}),
    ("POST", "/api/v1/policies/1/preview", {"loan_no": LOAN_B, "data": POLICY_EDIT}, {AD}),
    ("GET", "/api/v1/planning-runs", None, {RM, AD}),
    ("GET", "/api/v1/docs", None, EVERYONE),
    ("GET", "/api/v1/", None, set()),  # the API root: not found, for everyone
    ("GET", "/api/v1/openapi.json", None, EVERYONE),
]


def _app_cases() -> list:
    """The rows each app keeps in tests/matrix/<app>.py (API_CASES, WEB_CASES, routes, placeholders)."""
    from tests import matrix

    return [
        importlib.import_module(f"tests.matrix.{m.name}")
        for m in pkgutil.iter_modules(matrix.__path__)
    ]


APP_MODULES = _app_cases()
for _m in APP_MODULES:
    API_CASES += _m.API_CASES
# "{name}" in a path -> a function of the two_branches fixture giving the object's id.
PLACEHOLDERS: dict[str, Callable[[dict], str]] = {}
API_ROUTES: dict[str, str] = {}
WEB_ROUTES: dict[str, str] = {}
for _m in APP_MODULES:
    PLACEHOLDERS.update(getattr(_m, "PLACEHOLDERS", {}))
    API_ROUTES.update(getattr(_m, "API_ROUTES", {}))
    WEB_ROUTES.update(getattr(_m, "WEB_ROUTES", {}))


def _fill(path: str, two_branches: dict) -> str:
    for name, make in PLACEHOLDERS.items():
        if "{" + name + "}" in path:
            path = path.replace("{" + name + "}", str(make(two_branches)))
    return path


REPAYMENT_CSV = "loan_no,paid_date,amount\nB-0001,2025-03-20,100.00\n"


def _route_of(path: str) -> str:
    for text, route in API_ROUTES.items():
        path = path.replace(text, route)
    return (
        path.removeprefix("/api/v1/")
        .replace(LOAN_B, "<loan_no>")
        .replace("tokens/999999", "tokens/<token_id>")
        .replace("absences/999999", "absences/<absence_id>")
        .replace("imports/repayments", "imports/<kind>")
        .replace("{visit_b}", "<visit_id>")
        .replace("policies/1", "policies/<policy_id>")
        .replace("versions/1", "versions/<number>")
    )


def test_the_matrix_names_every_api_route():
    routes = {str(p.pattern) for p in api.urls[0]}
    covered = {_route_of(path) for _, path, _, _ in API_CASES}
    assert routes - covered == set()


def _call(client, method, path, body):
    if callable(body):
        return client.post(path, body())
    if body == "file":
        upload = io.BytesIO(REPAYMENT_CSV.encode())
        upload.name = "r.csv"
        return client.post(path, {"file": upload})
    if body is None:
        return client.generic(method, path)
    import json

    return client.generic(method, path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("role", [r.value for r in Role])
@pytest.mark.parametrize(
    ("method", "path", "body", "allowed"), API_CASES, ids=[f"{m} {p}" for m, p, _, _ in API_CASES]
)
def test_api_matrix(two_branches, client, role, method, path, body, allowed):
    # given a user of this role in branch A
    user = two_branches[role]
    client.force_login(user)
    loan_b = Loan.objects.get(loan_no=LOAN_B)
    before = (loan_b.risk_level, Repayment.objects.count())

    # when the user calls the endpoint about branch B's loan
    visit_b = Visit.objects.filter(loan__loan_no=LOAN_B).order_by("pk").first()
    path = _fill(path.replace("{visit_b}", str(visit_b.pk)), two_branches)
    response = _call(client, method, path, body)

    # then the gate answers as the matrix says, and a refusal changes nothing
    if role in allowed:
        assert response.status_code in (200, 201, 204), response.content[:300]
    else:
        assert response.status_code in (403, 404), response.content[:300]
        loan_b.refresh_from_db()
        assert (loan_b.risk_level, Repayment.objects.count()) == before
        if response.status_code == 403:
            assert AuditEvent.objects.filter(
                action="access_denied", actor_name=user.username
            ).exists()


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_loan_list_shows_only_reachable_branches(two_branches, client, role):
    client.force_login(two_branches[role])
    loan_nos = {item["loan_no"] for item in client.get("/api/v1/loans").json()["items"]}
    expected = {"A-0001"} if role in (OF, RV) else {"A-0001", "B-0001"}
    assert loan_nos == expected


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/v1/loans"), ("POST", "/api/v1/tokens")])
def test_anonymous_gets_401_not_a_login_page(db, client, method, path):
    response = client.generic(method, path)
    assert response.status_code == 401


def test_token_auth_and_revocation(two_branches, client):
    # given a risk manager's token
    client.force_login(two_branches[RM])
    created = client.post(
        "/api/v1/tokens", {"name": "core-banking"}, content_type="application/json"
    ).json()
    client.logout()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {created['key']}"}

    # then the token reads branch B's loan, and a forged one does not
    assert client.get(f"/api/v1/loans/{LOAN_B}", **headers).status_code == 200
    assert (
        client.get(f"/api/v1/loans/{LOAN_B}", HTTP_AUTHORIZATION="Bearer hf_forged").status_code
        == 401
    )

    # when it is revoked, it stops working
    client.force_login(two_branches[RM])
    assert client.delete(f"/api/v1/tokens/{created['id']}").status_code == 204
    client.logout()
    assert client.get(f"/api/v1/loans/{LOAN_B}", **headers).status_code == 401


def test_session_writes_need_the_csrf_token(two_branches):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(two_branches[RM])
    response = client.patch(
        f"/api/v1/loans/{LOAN_B}", '{"risk_level": "high"}', content_type="application/json"
    )
    assert response.status_code == 403
    assert Loan.objects.get(loan_no=LOAN_B).risk_level == "medium"


# --- web pages ------------------------------------------------------------------------------

# (method, path, form data, roles allowed) — about branch B's loan, the user sitting in branch A.
WEB_CASES = [
    ("GET", "/", None, EVERYONE),
    ("GET", "/loans/", None, EVERYONE),
    ("GET", f"/loans/{LOAN_B}/", None, {RM, AD, AU}),
    ("GET", f"/loans/{LOAN_B}/edit/", None, {RM, AD}),
    (
        "POST",
        f"/loans/{LOAN_B}/edit/",
        {"risk_level": "high", "officer": "", "purpose": "家庭装修"},
        {RM, AD},
    ),
    ("GET", f"/loans/{LOAN_B}/repayments/new/", None, {RM, AD}),
    (
        "POST",
        f"/loans/{LOAN_B}/repayments/new/",
        {"paid_date": "2025-03-20", "amount": "100.00"},
        {RM, AD},
    ),
    ("GET", "/imports/", None, {RM, AD}),
    ("GET", "/imports/template/loans.xlsx", None, {RM, AD}),
    ("GET", "/imports/999999/", None, set()),
    ("POST", "/imports/999999/apply/", {}, set()),
    ("POST", "/imports/999999/discard/", {}, set()),
    ("GET", "/audit/", None, {AD, AU}),
    ("POST", "/audit/verify/", {}, {AD, AU}),
    ("GET", "/visits/", None, EVERYONE),
    ("GET", "/visits/branch/", None, {RV, RM, AD}),
    ("GET", "/visits/absences/", None, {RV, RM, AD}),
    (
        "POST",
        "/visits/absences/",
        {"user": "officer_b", "start": "2025-03-01", "end": "2025-03-05"},
        {RM, AD},
    ),
    ("POST", "/visits/absences/999999/delete/", {}, set()),
    ("GET", "/visits/calendar/", None, EVERYONE),
    ("GET", "/visits/calendar/?scope=branch&month=2025-03", None, EVERYONE),
    ("POST", "/visits/{visit_b}/assign/", {"assignee": ""}, {RM, AD}),
    ("GET", "/calendar/", None, {AD}),
    ("POST", "/calendar/", {"day": "2030-01-02", "working": "0"}, {AD}),
    ("POST", "/calendar/2030-01-02/delete/", {}, {AD}),
    ("GET", "/inbox/", None, EVERYONE),
    ("POST", "/inbox/read/", {}, EVERYONE),
    ("GET", "/policies/", None, {AD}),
    ("GET", "/policies/new/", None, {AD}),
    ("POST", "/policies/new/", {"product": "经营贷"}, {AD}),
    ("GET", "/policies/1/", None, {AD}),
    ("GET", "/policies/1/versions/1/", None, {AD}),
    ("GET", "/policies/1/edit/", None, {AD}),
    ("POST", "/policies/1/edit/", {"loan_no": LOAN_B, "preview": "1"}, {AD}),
    ("GET", "/users/", None, {AD}),
    ("GET", "/users/?role=officer", None, {AD}),
    ("GET", "/users/new/", None, {AD}),
    (
        "POST",
        "/users/new/",
        {
            "username": "reviewer_c",
            "role": "reviewer",
            "branch": "",
            "password1": "Matrix-new-user-2026",
            "password2": "Matrix-new-user-2026",
        },
        {AD},
    ),
    ("GET", "/users/{user_b}/", None, {AD}),
    ("POST", "/users/{user_b}/", {"role": "reviewer", "is_active": "on"}, {AD}),
    ("GET", "/branches/", None, {AD}),
    ("POST", "/branches/", {"name": "丙分行", "code": "C"}, {AD}),
    ("GET", "/settings/", None, EVERYONE),
    ("GET", "/account/tokens/", None, EVERYONE),
    ("POST", "/account/tokens/999999/revoke/", {}, set()),
    ("GET", "/logout/", None, set()),  # logging out is a POST
]
# Reachable without logging in, so outside the matrix.
PUBLIC = {"login/", "i18n/", "q/<str:token>/"}  # q/: the borrower's online questionnaire


for _m in APP_MODULES:
    WEB_CASES += _m.WEB_CASES


def _web_route_of(path: str) -> str:
    for text, route in WEB_ROUTES.items():
        path = path.replace(text, route)
    return (
        path.lstrip("/")
        .split("?")[0]
        .replace(LOAN_B, "<path:loan_no>")
        .replace("absences/999999", "absences/<int:absence_id>")
        .replace("999999", "<int:batch_id>", 1)
        .replace("loans.xlsx", "<str:kind>.xlsx")
        .replace("{visit_b}", "<int:visit_id>")
        .replace("{user_b}", "<int:user_id>")
        .replace("2030-01-02", "<isodate:day>")
        .replace("policies/1/versions/1/", "policies/<int:policy_id>/versions/<int:number>/")
        .replace("policies/1/", "policies/<int:policy_id>/")
    )


def _web_routes() -> set[str]:
    """Every page route of the site: all included URL modules except the API's."""
    routes = set()
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if "api" in getattr(entry.urlconf_module, "__name__", "") or str(entry.pattern):
                continue
            routes |= {str(p.pattern) for p in entry.url_patterns}
    return routes


def test_the_matrix_names_every_web_page():
    routes = _web_routes() - PUBLIC
    covered = {_web_route_of(path) for _, path, _, _ in WEB_CASES}
    covered = {
        c.replace("account/tokens/<int:batch_id>", "account/tokens/<int:token_id>") for c in covered
    }
    assert routes - covered == set()


@pytest.mark.parametrize("role", [r.value for r in Role])
@pytest.mark.parametrize(
    ("method", "path", "data", "allowed"), WEB_CASES, ids=[f"{m} {p}" for m, p, _, _ in WEB_CASES]
)
def test_web_matrix(two_branches, client, role, method, path, data, allowed):
    user = two_branches[role]
    client.force_login(user)
    loan_b = Loan.objects.get(loan_no=LOAN_B)
    before = (loan_b.risk_level, Repayment.objects.count())

    visit_b = Visit.objects.filter(loan__loan_no=LOAN_B).order_by("pk").first()
    user_b = User.objects.get(username="officer_b")
    path = path.replace("{visit_b}", str(visit_b.pk)).replace("{user_b}", str(user_b.pk))
    path = _fill(path, two_branches)
    if callable(data):
        data = data()
    response = client.post(path, data) if method == "POST" else client.get(path)

    if role in allowed:
        # a page, or a redirect after a successful form
        assert response.status_code in (200, 302), response.content[:300]
        if response.status_code == 302:
            assert "/login/" not in response["Location"]
    else:
        assert response.status_code in (403, 404, 405), response.content[:300]
        loan_b.refresh_from_db()
        assert (loan_b.risk_level, Repayment.objects.count()) == before
        if response.status_code == 403:
            assert AuditEvent.objects.filter(
                action="access_denied", actor_name=user.username
            ).exists()


def test_officer_never_sees_another_branchs_loan_in_the_list(two_branches, client):
    client.force_login(two_branches[OF])
    page = client.get("/loans/").content.decode()
    assert 'href="/loans/A-0001/"' in page and f'href="/loans/{LOAN_B}/"' not in page
    searched = client.get(f"/loans/?q={LOAN_B}").content.decode()
    assert f'href="/loans/{LOAN_B}/"' not in searched


def test_anonymous_is_sent_to_the_login_page(db, client):
    response = client.get(f"/loans/{LOAN_B}/")
    assert response.status_code == 302 and "/login/" in response["Location"]

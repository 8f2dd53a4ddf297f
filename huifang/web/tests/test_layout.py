"""Sign-in, the shared layout, the language switch, and the error pages."""

from django.urls import reverse

from huifang.audit.models import AuditEvent
from huifang.web.tests.conftest import PASSWORD


def test_login_page(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "惠方小额贷款有限公司" in html or response.context["institution_name"] in html
    assert 'name="username"' in html and 'name="password"' in html


def test_login_and_logout(client, portfolio):
    response = client.post(reverse("login"), {"username": "officer_a", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("loan_list")
    assert AuditEvent.objects.filter(action="login", actor_name="officer_a").exists()
    assert client.get(reverse("logout")).status_code == 405  # POST only
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("loan_list")).status_code == 302


def test_wrong_password(client, portfolio):
    response = client.post(reverse("login"), {"username": "officer_a", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_navigation_follows_permissions(portfolio, login):
    html = login(portfolio.officer_a).get(reverse("loan_list")).content.decode()
    assert reverse("import_list") not in html
    assert reverse("audit_list") not in html
    assert reverse("settings_hub") in html
    assert "王经理" in html and "客户经理" in html
    html = login(portfolio.admin).get(reverse("loan_list")).content.decode()
    assert reverse("import_list") in html and reverse("audit_list") in html
    html = login(portfolio.auditor).get(reverse("loan_list")).content.decode()
    assert reverse("import_list") not in html and reverse("audit_list") in html


def test_assets_are_local(portfolio, login):
    html = login(portfolio.admin).get(reverse("loan_list")).content.decode()
    assert "http://" not in html and "https://" not in html
    assert "/static/huifang/app.css" in html


def test_chinese_by_default(portfolio, login):
    html = login(portfolio.officer_a).get(reverse("loan_list")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "贷款列表" in html


def test_switch_to_english(portfolio, login):
    client = login(portfolio.officer_a)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("loan_list")}
    )
    assert response.status_code == 302
    html = client.get(reverse("loan_list")).content.decode()
    assert '<html lang="en">' in html


def test_403_page_is_friendly(portfolio, login):
    response = login(portfolio.officer_a).get(reverse("audit_list"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问" in html and 'href="/"' in html


def test_404_page_is_friendly(portfolio, login):
    response = login(portfolio.officer_a).get("/no/such/page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()

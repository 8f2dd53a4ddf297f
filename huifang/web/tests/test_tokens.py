"""A user's own API tokens."""

from django.urls import reverse

from huifang.accounts.models import ApiToken
from huifang.accounts.services import token_user

LIST = reverse("token_list")


def test_create_shows_the_key_once(portfolio, login):
    client = login(portfolio.auditor)
    assert client.get(LIST).status_code == 200
    response = client.post(LIST, {"name": "报表系统"})
    assert response.status_code == 200
    raw = response.context["raw_key"]
    assert raw.startswith("hf_") and raw in response.content.decode()
    assert "只显示这一次" in response.content.decode()
    assert token_user(raw) == portfolio.auditor
    again = client.get(LIST).content.decode()
    assert raw not in again and "报表系统" in again


def test_empty_name_is_refused(portfolio, login):
    response = login(portfolio.officer_a).post(LIST, {"name": ""})
    assert "请填写令牌名称" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_only_own_tokens_are_listed_and_revocable(portfolio, login):
    mine = ApiToken.objects.create(
        user=portfolio.officer_a, name="我的", key_prefix="hf_mine", digest="a" * 64
    )
    theirs = ApiToken.objects.create(
        user=portfolio.officer_b, name="别人的", key_prefix="hf_them", digest="b" * 64
    )
    client = login(portfolio.officer_a)
    html = client.get(LIST).content.decode()
    assert "我的" in html and "别人的" not in html
    assert client.post(reverse("token_revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active
    response = client.post(reverse("token_revoke", args=[mine.pk]))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert not mine.is_active
    assert "已吊销" in client.get(LIST).content.decode()

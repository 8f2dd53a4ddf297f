"""The pure core of the group robots: formats, DingTalk's signature, retry schedule, masking."""

import base64
import hashlib
import hmac
import urllib.parse
from datetime import timedelta

import pytest

from huifang.notifications import webhooks


def test_wecom_markdown_message_has_the_documented_shape():
    text = webhooks.markdown_text("风险管理部：红色预警", "贷款 A-0001 逾期 95 天", "https://hf/x/")
    assert webhooks.build_payload("wecom", "风险管理部：红色预警", text) == {
        "msgtype": "markdown",
        "markdown": {
            "content": "### 风险管理部：红色预警\n\n贷款 A-0001 逾期 95 天\n\n[查看详情](https://hf/x/)"
        },
    }


def test_dingtalk_markdown_message_has_a_title_and_text():
    text = webhooks.markdown_text("催收部：新待办")
    assert webhooks.build_payload("dingtalk", "催收部：新待办", text) == {
        "msgtype": "markdown",
        "markdown": {"title": "催收部：新待办", "text": "### 催收部：新待办"},
    }


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown webhook kind"):
        webhooks.build_payload("slack", "t", "x")


def test_dingtalk_signature_is_hmac_sha256_of_timestamp_and_secret_base64_urlencoded():
    secret, ts = "SECabc123def456", 1700000000123
    expected = urllib.parse.quote_plus(
        base64.b64encode(
            hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
        ).decode()
    )
    assert webhooks.dingtalk_sign(secret, ts) == expected
    assert not set("+/=") & set(expected)  # base64's own characters are URL-encoded
    assert webhooks.signed_url(
        "https://oapi.dingtalk.com/robot/send?access_token=T", secret, ts
    ) == (f"https://oapi.dingtalk.com/robot/send?access_token=T&timestamp={ts}&sign={expected}")
    assert webhooks.signed_url("http://h/robot", secret, ts).startswith("http://h/robot?timestamp=")


def test_retries_wait_1_2_4_8_16_minutes_and_stop_after_the_sixth_failure():
    delays = [webhooks.retry_delay(n) for n in range(1, 7)]
    assert delays == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)] + [None]


def test_keys_are_masked_and_personal_numbers_never_reach_a_group_chat():
    assert (
        webhooks.mask_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4")
        == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…4bc4"
    )
    assert webhooks.mask_secret("SEC0123456789abcdef") == "…cdef"
    text = webhooks.markdown_text("张伟 110105199003074472", "电话 13812345678，合同 A-0001")
    assert "110105199003074472" not in text and "110105********4472" in text
    assert "13812345678" not in text and "138****5678" in text and "A-0001" in text


def test_long_messages_are_cut_to_what_wecom_accepts():
    text = webhooks.markdown_text("标题", "风" * 5000)
    assert len(text.encode()) <= webhooks.MAX_TEXT_BYTES and text.endswith("…")


def test_only_http_urls_are_accepted():
    assert webhooks.check_url("https://oapi.dingtalk.com/robot/send?access_token=x") is None
    assert webhooks.check_url("ftp://example/x") and webhooks.check_url("qyapi.weixin.qq.com")

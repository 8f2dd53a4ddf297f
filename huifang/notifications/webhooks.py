"""Group-robot webhooks: the message formats, DingTalk's signature, the retry schedule, one POST.

Pure functions on plain values, except `post`, which talks HTTP (standard library only).

- WeCom (企业微信) group robot: POST the robot URL with
  {"msgtype": "markdown", "markdown": {"content": ...}}; success is HTTP 200 and errcode 0.
- DingTalk (钉钉) custom robot: POST the robot URL with
  {"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}; with a signing secret the
  URL carries &timestamp=<ms>&sign=<urlencode(base64(HMAC-SHA256(secret, ts + "\\n" + secret)))>;
  success is errcode 0.
"""

import base64
import hashlib
import hmac
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

WECOM = "wecom"
DINGTALK = "dingtalk"

# WeCom refuses markdown content over 4096 bytes; DingTalk allows more, one limit serves both.
MAX_TEXT_BYTES = 4000
# Failed attempts before a delivery is given up: retried after 1, 2, 4, 8 and 16 minutes.
MAX_ATTEMPTS = 6
TIMEOUT_SECONDS = 5

# Group chats are outside the institution: ID and mobile numbers never go there in full.
_ID_NO = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def redact(text: str) -> str:
    return _MOBILE.sub(r"\1****\2", _ID_NO.sub(r"\1********\2", text))


def _truncate(text: str, limit: int = MAX_TEXT_BYTES) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


def markdown_text(title: str, body: str = "", link: str = "") -> str:
    """The message as Markdown both robots render: a heading, the body, a link to the page."""
    parts = [f"### {title.strip()}"]
    if body.strip():
        parts.append(body.strip())
    if link:
        parts.append(f"[查看详情]({link})")
    return _truncate(redact("\n\n".join(parts)))


def build_payload(kind: str, title: str, text: str) -> dict:
    """The JSON body each platform documents for a Markdown message."""
    if kind == WECOM:
        return {"msgtype": "markdown", "markdown": {"content": text}}
    if kind == DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": redact(title)[:100], "text": text}}
    raise ValueError(f"unknown webhook kind {kind!r}")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature, URL-encoded as it goes in the query string."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    joiner = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def retry_delay(attempts: int) -> timedelta | None:
    """How long after the `attempts`-th failed attempt to try again; None: give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return timedelta(minutes=2 ** (attempts - 1))


def mask_url(url: str) -> str:
    """The URL with its key shown only by its last four characters (the key posts to the group)."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    masked = "&".join(f"{k}=…{v[-4:]}" if v else f"{k}=" for k, v in query)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, masked, ""))


def mask_secret(secret: str) -> str:
    return f"…{secret[-4:]}" if len(secret) > 8 else ("…" if secret else "")


def check_url(url: str) -> str | None:
    """Why a robot URL is not usable, or None."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL"
    return None


_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def post(url: str, payload: dict, *, timeout: float = TIMEOUT_SECONDS) -> str | None:
    """POST the JSON payload; None when the robot accepted it, otherwise what went wrong."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    # The environment's proxy applies to the robots' public hosts, never to this machine.
    proxies: dict[str, str] | None = (
        {} if urllib.parse.urlsplit(url).hostname in _LOOPBACK else None
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies))
    try:
        with opener.open(request, timeout=timeout) as response:
            status, raw = response.status, response.read(65536)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except urllib.error.URLError as exc:
        return f"connection failed: {exc.reason}"[:500]
    except TimeoutError:
        return "timed out"
    except OSError as exc:
        return f"connection failed: {exc}"[:500]
    if status != 200:
        return f"HTTP {status}"
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "HTTP 200 but the answer is not JSON"
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        code = answer.get("errcode") if isinstance(answer, dict) else None
        message = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        return f"errcode {code}: {message}"[:500]
    return None

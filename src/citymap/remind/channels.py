r"""Sending one message: DingTalk and WeCom group robots (HTTPS webhooks) and e-mail (SMTP).

Standard library only (``urllib``, ``smtplib``):

- DingTalk custom robot (钉钉自定义机器人): ``POST url`` with
  ``{"msgtype": "markdown", "markdown": {"title", "text"}, "at": {"atMobiles", "isAtAll"}}``;
  with 加签 the URL gets ``&timestamp=<ms>&sign=<urlencoded base64 HmacSHA256(secret,
  "<ms>\n<secret>")>``. Answer ``{"errcode": 0, "errmsg": "ok"}``.
- WeCom group robot (企业微信群机器人): ``POST url`` with
  ``{"msgtype": "markdown", "markdown": {"content"}}`` (content at most 4096 bytes).
  Answer ``{"errcode": 0, "errmsg": "ok"}``.
- SMTP: a UTF-8 text message, STARTTLS when ``starttls = true``, SMTPS when ``ssl = true``,
  login when ``user`` is given.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from citymap.errors import CitymapError
from citymap.remind.config import Channel

__all__ = ["SendError", "dingtalk_sign", "signed_url", "dingtalk_payload", "wecom_payload",
           "clip_utf8", "send_message", "mail_message"]

#: Byte limits of a markdown message's text.
DINGTALK_MAX = 20000
WECOM_MAX = 4096


class SendError(CitymapError, OSError):
    """A message could not be sent (one line: channel, recipient, why)."""


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    r"""The DingTalk 加签 signature: base64 HmacSHA256 of ``"<ms>\n<secret>"`` keyed by
    ``secret`` (not yet URL-encoded).
    """
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(),
                   hashlib.sha256).digest()
    return base64.b64encode(mac).decode("ascii")


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """``url`` with ``&timestamp=…&sign=…`` (URL-encoded) appended."""
    sign = urllib.parse.quote_plus(dingtalk_sign(secret, timestamp_ms))
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}timestamp={timestamp_ms}&sign={sign}"


def clip_utf8(text: str, limit: int, tail: str) -> str:
    """``text`` cut on a line end so that it and ``tail`` fit in ``limit`` UTF-8 bytes."""
    if len(text.encode("utf-8")) <= limit:
        return text
    room = limit - len(tail.encode("utf-8"))
    lines, size = [], 0
    for line in text.split("\n"):
        n = len(line.encode("utf-8")) + 1
        if size + n > room:
            break
        lines.append(line)
        size += n
    return "\n".join(lines) + "\n" + tail


def dingtalk_payload(title: str, text: str, *, mobiles: Sequence[str] = (),
                     tail: str = "…") -> dict[str, Any]:
    """The DingTalk markdown message; mobiles are @-mentioned (their ``@number`` must be in
    the text, so it is appended).
    """
    at = "".join(f" @{m}" for m in mobiles)
    body = clip_utf8(text, DINGTALK_MAX - len(at.encode("utf-8")) - 2, tail)
    return {"msgtype": "markdown",
            "markdown": {"title": title, "text": body + ("\n\n" + at.strip() if at else "")},
            "at": {"atMobiles": list(mobiles), "isAtAll": False}}


def wecom_payload(text: str, *, tail: str = "…") -> dict[str, Any]:
    """The WeCom markdown message (clipped to 4096 bytes)."""
    return {"msgtype": "markdown", "markdown": {"content": clip_utf8(text, WECOM_MAX, tail)}}


def _post_json(ch: Channel, url: str, payload: dict[str, Any], who: str) -> None:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    timeout = float(ch.options.get("timeout", 10))
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (configured)
            body = resp.read().decode("utf-8", "replace")
    except OSError as exc:  # URLError, HTTPError, timeouts
        raise SendError(f"channel {ch.name!r} ({ch.type}) to {who}: {exc}") from None
    try:
        answer = json.loads(body)
    except ValueError:
        raise SendError(f"channel {ch.name!r} ({ch.type}) to {who}: the answer is not "
                        f"JSON: {body[:80]!r}") from None
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        raise SendError(f"channel {ch.name!r} ({ch.type}) to {who}: refused: "
                        f"{body[:160]}")


def mail_message(ch: Channel, *, to: Sequence[str], subject: str, text: str) -> EmailMessage:
    """The e-mail (UTF-8 text) from the channel's ``from`` to ``to``."""
    msg = EmailMessage()
    msg["From"] = str(ch.value("from"))
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="citymap.invalid")
    msg.set_content(text, charset="utf-8")
    return msg


def _send_mail(ch: Channel, to: Sequence[str], subject: str, text: str, who: str) -> None:
    msg = mail_message(ch, to=to, subject=subject, text=text)
    host = str(ch.value("host"))
    use_ssl = bool(ch.options.get("ssl", False))
    port = int(ch.options.get("port", 465 if use_ssl else 25))
    timeout = float(ch.options.get("timeout", 20))
    try:
        smtp: smtplib.SMTP = (smtplib.SMTP_SSL(host, port, timeout=timeout,
                                               context=ssl.create_default_context())
                              if use_ssl else smtplib.SMTP(host, port, timeout=timeout))
        with smtp:
            if ch.options.get("starttls", False) and not use_ssl:
                smtp.starttls(context=ssl.create_default_context())
            user = ch.value("user")
            if user:
                smtp.login(str(user), str(ch.value("password", "")))
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise SendError(f"channel {ch.name!r} (smtp) to {who}: {exc}") from None


def send_message(ch: Channel, *, who: str, title: str, text: str, phone: str = "",
                 email: str = "", tail: str = "…") -> None:
    """Send one message through ``ch``.

    Raises
    ------
    SendError
        If it was not accepted (network, refusal, no address): one line.
    """
    if ch.type == "smtp":
        if not email:
            raise SendError(f"channel {ch.name!r} (smtp) to {who}: no email address; add "
                            "email = \"…\" to the person in citymap.toml")
        _send_mail(ch, [email], title, text, who)
        return
    url = str(ch.value("url"))
    if ch.type == "dingtalk":
        secret = ch.value("secret")
        if secret:
            url = signed_url(url, str(secret), int(time.time() * 1000))
        payload = dingtalk_payload(title, text, mobiles=[phone] if phone else [], tail=tail)
    else:
        payload = wecom_payload(text, tail=tail)
    _post_json(ch, url, payload, who)


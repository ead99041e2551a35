"""Store URLs: recognising them and hiding their passwords in every message."""

from __future__ import annotations

import re

__all__ = ["is_store_url", "redact", "scrub", "secrets_of"]

_SCHEMES = ("postgresql://", "postgres://")
_QUERY_PASSWORD = re.compile(r"([?&](?:ssl)?password=)([^&#]*)", re.IGNORECASE)
# key=value: the value runs to the next ``key=`` (an unquoted password with spaces is hidden
# whole; libpq would otherwise echo its second word as an "invalid connection option").
_KV_PASSWORD = re.compile(r"((?<!\w)(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'?|.*?)"
                          r"(?=\s+\w+\s*=|$)", re.IGNORECASE | re.DOTALL)


def is_store_url(value: str) -> bool:
    """True when ``value`` names a database (a ``postgresql://`` URL or ``key=value`` conninfo)."""
    text = value.strip()
    return text.startswith(_SCHEMES) or ("=" in text and "dbname" in text or "host=" in text)


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***`` (safe to log or show).

    Works for URLs (``postgresql://user:secret@host/db``, ``?password=secret``) and for
    ``key=value`` connection strings.

    Examples
    --------
    >>> redact("postgresql://gis:s3cret@db/citymap")
    'postgresql://gis:***@db/citymap'
    >>> redact("host=db password=s3cret dbname=citymap")
    'host=db password=*** dbname=citymap'
    """
    text = str(url)
    if text.strip().startswith(_SCHEMES):
        scheme, sep, rest = text.partition("://")
        head, q, query = rest.partition("?")
        if "@" in head:  # user[:password]@hosts/db — a password may hold '@' or '/'
            userinfo, _, hosts = head.rpartition("@")
            if ":" in userinfo:
                userinfo = userinfo.split(":", 1)[0] + ":***"
            head = f"{userinfo}@{hosts}"
        query = _QUERY_PASSWORD.sub(r"\1***", q + query)
        return f"{scheme}{sep}{head}{query}"
    return _KV_PASSWORD.sub(r"\1***", text)


def secrets_of(url: str) -> list[str]:
    """Every password-like part of ``url`` as written, decoded and word by word, longest first.

    Error messages of libpq quote the offending part of a malformed URL (``invalid
    percent-encoded token: "p%zz…"``); :meth:`PostgisStore._scrub
    <citymap.store.postgis.PostgisStore>` removes each of these from any message.
    """
    import urllib.parse

    found: list[str] = []
    text = str(url)
    if text.strip().startswith(_SCHEMES):
        rest = text.partition("://")[2]
        head, _, query = rest.partition("?")
        userinfo = head.rpartition("@")[0] if "@" in head else ""
        if ":" in userinfo:
            found.append(userinfo.split(":", 1)[1])
        found += [m.group(2) for m in _QUERY_PASSWORD.finditer("?" + query)]
    else:
        found += [m.group(2).strip("'") for m in _KV_PASSWORD.finditer(text)]
    out: set[str] = set()
    for value in found:
        for part in (value, urllib.parse.unquote(value), *value.split()):
            if len(part) >= 3:
                out.add(part)
    return sorted(out, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """``text`` (an error message) with every secret of ``url`` replaced by ``***``."""
    out = text.replace(url, redact(url))
    for secret in secrets_of(url):
        out = out.replace(secret, "***")
    return out

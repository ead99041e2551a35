"""The ``[remind]``, ``[remind.channels.*]`` and ``[[people]]`` tables of ``citymap.toml``.

.. code-block:: toml

    [remind]
    level2_after_days = 15     # days late/behind from which the unit's 分管 leader is told
    level3_after_days = 30     # … and the county's lead
    schedule_margin = 10       # percentage points below the schedule tolerated
    channel = "zhuanban"       # default channel of people who name none
    log = "geo/remind_log.csv" # the send log

    [remind.channels.zhuanban]
    type = "dingtalk"                       # dingtalk | wecom | smtp
    url_env = "CITYMAP_DINGTALK_URL"        # or url = "https://oapi.dingtalk.com/robot/send?access_token=…"
    secret_env = "CITYMAP_DINGTALK_SECRET"  # 加签 secret (or secret = "SEC…")

    [remind.channels.mail]
    type = "smtp"
    host = "smtp.example.gov.cn"
    port = 587
    starttls = true
    from = "专班 <zhuanban@example.gov.cn>"
    user = "zhuanban@example.gov.cn"
    password_env = "CITYMAP_SMTP_PASSWORD"

    [[people]]
    name = "张三"
    unit = "县住房城乡建设局"       # a leader: a list of the units in his or her charge
    role = "unit"                  # unit (责任单位) | leader (分管领导) | county (县级牵头)
                                   # | reviewer (审核: accepts or returns submissions)
    phone = "13800000000"          # @-mentioned in DingTalk/WeCom group messages
    email = "zhangsan@example.gov.cn"
    channel = "mail"

Secrets are read from the environment variables the ``*_env`` keys name, when the
message is sent (a dry run needs none).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from citymap.errors import Problem, ValidationError, WorkspaceError

__all__ = ["Channel", "Person", "RemindConfig", "ROLES", "load_remind_config", "parse_remind"]

CONFIG_FILE = "citymap.toml"
#: Role key → (level, Chinese name); Chinese names are accepted as keys too.
#: ``reviewer`` (审核, level 0) is never reminded: he or she accepts or returns the units'
#: submissions (:mod:`citymap.review`); declaring one turns imports into submissions.
ROLES: dict[str, tuple[int, str]] = {"unit": (1, "责任单位"), "leader": (2, "分管领导"),
                                     "county": (3, "县级牵头"), "reviewer": (0, "审核")}
_ROLE_ALIASES = {zh: key for key, (_, zh) in ROLES.items()} | {
    "单位": "unit", "联系人": "unit", "分管": "leader", "县领导": "county", "专班": "county",
    "审核人": "reviewer", "专班审核": "reviewer"}
CHANNEL_TYPES = ("dingtalk", "wecom", "smtp")
_CHANNEL_KEYS = {
    "dingtalk": {"type", "url", "url_env", "secret", "secret_env", "timeout"},
    "wecom": {"type", "url", "url_env", "timeout"},
    "smtp": {"type", "host", "port", "from", "user", "user_env", "password", "password_env",
             "starttls", "ssl", "timeout"},
}


@attrs.frozen
class Person:
    """Someone reminded: of a unit (level 1), a 分管 leader (2) or the county's lead (3)."""

    name: str
    role: str
    units: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    channel: str = ""

    @property
    def level(self) -> int:
        """The level from which this person is told."""
        return ROLES[self.role][0]


@attrs.frozen
class Channel:
    """A way to send: a DingTalk or WeCom group robot, or SMTP."""

    name: str
    type: str
    options: Mapping[str, Any] = attrs.field(factory=dict)

    def value(self, key: str, default: Any = None) -> Any:
        """Option ``key``, or the environment variable named by ``key_env``.

        Raises
        ------
        WorkspaceError
            If ``key_env`` names a variable that is not set.
        """
        env = self.options.get(f"{key}_env")
        if env:
            if env not in os.environ:
                raise WorkspaceError(f"channel {self.name!r}: environment variable {env!r} "
                                     f"({key}) is not set; export it before sending")
            return os.environ[env]
        return self.options.get(key, default)


@attrs.frozen
class RemindConfig:
    """Thresholds, channels and people of reminders."""

    level2_after_days: int = 15
    level3_after_days: int = 30
    schedule_margin: float = 10.0
    channel: str = ""
    log: str = "geo/remind_log.csv"
    channels: Mapping[str, Channel] = attrs.field(factory=dict)
    people: tuple[Person, ...] = ()


def _text(v: Any) -> bool:
    return isinstance(v, str) and bool(v.strip())


def parse_remind(data: Mapping[str, Any], *, canonical: Any = None,  # noqa: C901
                 shown: str = CONFIG_FILE) -> RemindConfig:
    """Read the reminder tables of a parsed ``citymap.toml``.

    Parameters
    ----------
    data
        The parsed TOML.
    canonical
        Unit name → canonical name (``Register.canonical_unit``), to resolve aliases.

    Raises
    ------
    ValidationError
        Listing every problem (table, key, value, what to do).
    """
    problems: list[Problem] = []

    def bad(item: str, key: str, msg: str) -> None:
        problems.append(Problem(shown, item, key, msg))

    rm: dict[str, Any] = dict(data.get("remind", {}) or {})
    ints: dict[str, int] = {}
    for key, default in (("level2_after_days", 15), ("level3_after_days", 30)):
        v = rm.get(key, default)
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            bad("[remind]", key, f"{v!r} must be a whole number of days ≥ 0")
            v = default
        ints[key] = v
    if ints["level3_after_days"] < ints["level2_after_days"]:
        bad("[remind]", "level3_after_days", f"{ints['level3_after_days']!r} is less than "
            f"level2_after_days ({ints['level2_after_days']}); level 3 comes after level 2")
    margin = rm.get("schedule_margin", 10)
    if not isinstance(margin, int | float) or isinstance(margin, bool) or not 0 <= margin <= 100:
        bad("[remind]", "schedule_margin", f"{margin!r} must be percentage points 0–100")
        margin = 10
    channels: dict[str, Channel] = {}
    for name, raw in (rm.get("channels", {}) or {}).items():
        item = f"[remind.channels.{name}]"
        if not isinstance(raw, dict):
            bad(item, "", "must be a table")
            continue
        kind = raw.get("type")
        if kind not in CHANNEL_TYPES:
            bad(item, "type", f"{kind!r} must be one of {', '.join(CHANNEL_TYPES)}")
            continue
        for key in sorted(set(raw) - _CHANNEL_KEYS[kind]):
            bad(item, key, f"unknown key for a {kind} channel; use "
                f"{', '.join(sorted(_CHANNEL_KEYS[kind]))}")
        need = ("host", "from") if kind == "smtp" else ("url",)
        for key in need:
            if not _text(raw.get(key)) and not _text(raw.get(f"{key}_env")):
                bad(item, key, f"missing: give {key} = \"…\""
                    + (f" or {key}_env = \"VARIABLE\"" if kind != "smtp" else ""))
        channels[name] = Channel(name, kind, dict(raw))
    default_channel = rm.get("channel", "")
    if default_channel and default_channel not in channels:
        bad("[remind]", "channel", f"{default_channel!r} is no [remind.channels.*] table")
    people: list[Person] = []
    for n, raw in enumerate(data.get("people", []) or [], start=1):
        item = f"[[people]] #{n}"
        if not isinstance(raw, dict):
            bad(item, "", "must be a table")
            continue
        name = raw.get("name")
        if not _text(name):
            bad(item, "name", "missing: give name = \"…\"")
            continue
        item = f"[[people]] {name}"
        role = _ROLE_ALIASES.get(str(raw.get("role", "")), raw.get("role"))
        if role not in ROLES:
            bad(item, "role", f"{raw.get('role')!r} must be one of unit (责任单位), "
                "leader (分管领导), county (县级牵头), reviewer (审核)")
            continue
        units_raw = raw.get("unit", raw.get("units", []))
        units = [units_raw] if isinstance(units_raw, str) else units_raw
        if not isinstance(units, list) or not all(_text(u) for u in units):
            bad(item, "unit", f"{units_raw!r} must be a unit name or a list of them")
            continue
        if role not in ("county", "reviewer") and not units:
            bad(item, "unit", f"missing: a {role} person needs unit = \"…\" (the unit(s) "
                "he or she answers for)")
            continue
        ch = raw.get("channel", "")
        if ch and ch not in channels:
            bad(item, "channel", f"{ch!r} is no [remind.channels.*] table")
        if canonical is not None:
            units = [canonical(u) for u in units]
        people.append(Person(str(name).strip(), str(role), tuple(units),
                              str(raw.get("phone", "")).strip(),
                              str(raw.get("email", "")).strip(), str(ch)))
    if problems:
        raise ValidationError(problems)
    return RemindConfig(ints["level2_after_days"], ints["level3_after_days"], float(margin),
                        str(default_channel), str(rm.get("log", "geo/remind_log.csv")),
                        channels, tuple(people))


def load_remind_config(root: str | Path, *, canonical: Any = None) -> RemindConfig:
    """Read the reminder tables of ``root/citymap.toml`` (defaults when it has none).

    Raises
    ------
    WorkspaceError
        If there is no ``citymap.toml``.
    ValidationError
        If a table or value is wrong.
    """
    path = Path(root) / CONFIG_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WorkspaceError(f"{str(path)!r}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError([Problem(CONFIG_FILE, "", "", f"is not valid TOML: {exc}")]) \
            from None
    return parse_remind(data, canonical=canonical)

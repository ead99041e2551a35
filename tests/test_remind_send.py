"""``citymap remind`` sending: DingTalk and WeCom robots (local HTTP servers), SMTP (aiosmtpd),
the send log (nobody told twice), failures (one line, not logged).
"""

from __future__ import annotations

import base64
import csv
import email
import email.policy
import hashlib
import hmac
import time
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from _remind import remind_workspace, robot_server, smtp_server
from citymap.cli.main import cli

SECRET = "SECtest0123456789abcdef"
NO_PROXY: dict[str, str | None] = {k: None for k in (
    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")}


def run(root: Path, *args: str, env: Mapping[str, str | None] | None = None
        ) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["--workspace", str(root), *args],
                           env={**NO_PROXY, **(env or {})})
    return r.exit_code, r.stdout, r.stderr


def sent_rows(root: Path) -> list[dict[str, str]]:
    path = root / "geo" / "remind_log.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def robots_workspace(tmp_path: Path, ding: Any, wx: Any) -> Path:
    channels = f"""
[remind.channels.ding]
type = "dingtalk"
url = "http://127.0.0.1:{ding.server_port}/robot/send?access_token=TOKEN1"
secret_env = "TEST_DINGTALK_SECRET"

[remind.channels.wx]
type = "wecom"
url = "http://127.0.0.1:{wx.server_port}/cgi-bin/webhook/send?key=KEY1"
"""
    root = remind_workspace(tmp_path / "ws", channels, remind='channel = "ding"')
    cfg = root / "citymap.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        'email = "zhao@example.gov.cn"', 'email = "zhao@example.gov.cn"\nchannel = "wx"'),
        encoding="utf-8")
    return root


def test_dingtalk_and_wecom_signed_once(tmp_path: Path) -> None:
    env = {"TEST_DINGTALK_SECRET": SECRET}
    with robot_server() as ding, robot_server() as wx:
        root = robots_workspace(tmp_path, ding, wx)
        before = int(time.time() * 1000)
        code, out, err = run(root, "remind", "--as-of", "2021-02-01", env=env)
        after = int(time.time() * 1000)
        assert code == 0, err
        assert "已发送 李执法(渠道 ding):3 项" in err
        assert "已发送 赵副县长(渠道 wx):3 项" in err
        assert "已发送 钱县长(渠道 ding):3 项" in err
        # DingTalk: two messages (李执法, 钱县长), each signed
        assert len(ding.calls) == 2 and len(wx.calls) == 1
        for call, phone in zip(ding.calls, ("13800000002", "13800000004"), strict=True):
            url = urllib.parse.urlsplit(call["path"])
            assert url.path == "/robot/send"
            q = urllib.parse.parse_qs(url.query)
            assert q["access_token"] == ["TOKEN1"]
            ts = int(q["timestamp"][0])
            assert before <= ts <= after
            mac = hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256)
            assert q["sign"] == [base64.b64encode(mac.digest()).decode()]
            assert "sign=" + urllib.parse.quote_plus(q["sign"][0]) in call["path"]
            assert call["headers"]["Content-Type"].startswith("application/json")
            body = call["json"]
            assert set(body) == {"msgtype", "markdown", "at"}
            assert body["msgtype"] == "markdown"
            assert body["markdown"]["title"] == "三级督办提醒:截至 2021-02-01 共 3 项滞后"
            text = body["markdown"]["text"]
            assert "点位 PP-2 西门口袋公园:逾期 32 天(截止 2020-12-31)〔三级督办〕" in text
            assert "目标 8.1 口袋公园" in text and text.endswith(f"@{phone}")
            assert body["at"] == {"atMobiles": [phone], "isAtAll": False}
        assert "**李执法**(责任单位)" in ding.calls[0]["json"]["markdown"]["text"]
        assert "**钱县长**(县级牵头)" in ding.calls[1]["json"]["markdown"]["text"]
        # WeCom: its markdown message, no signature
        wcall = wx.calls[0]
        assert wcall["path"] == "/cgi-bin/webhook/send?key=KEY1"
        assert set(wcall["json"]) == {"msgtype", "markdown"}
        assert wcall["json"]["msgtype"] == "markdown"
        content = wcall["json"]["markdown"]["content"]
        assert set(wcall["json"]["markdown"]) == {"content"}
        assert "**赵副县长**(分管领导)" in content and "工程 8 园林绿化提档升级工程" in content
        rows = sent_rows(root)
        assert len(rows) == 9 and {r["level"] for r in rows} == {"3"}
        assert {(r["recipient"], r["channel"]) for r in rows} == {
            ("李执法", "ding"), ("赵副县长", "wx"), ("钱县长", "ding")}
        # the second run sends nothing
        code, _, err = run(root, "remind", "--as-of", "2021-02-01", env=env)
        assert code == 0 and "没有需要发送的新提醒" in err
        assert len(ding.calls) == 2 and len(wx.calls) == 1 and len(sent_rows(root)) == 9
        code, out, _ = run(root, "remind", "--dry-run", "--as-of", "2021-02-01", env=env)
        assert "没有需要发送的新提醒" in out


def test_escalation_sends_the_new_level(tmp_path: Path) -> None:
    env = {"TEST_DINGTALK_SECRET": SECRET}
    with robot_server() as ding, robot_server() as wx:
        root = robots_workspace(tmp_path, ding, wx)
        assert run(root, "remind", "--as-of", "2021-01-10", env=env)[0] == 0
        assert len(ding.calls) == 1 and not wx.calls  # level 1: the unit only
        assert run(root, "remind", "--as-of", "2021-01-12", env=env)[0] == 0
        assert len(ding.calls) == 1  # still level 1: nothing new
        assert run(root, "remind", "--as-of", "2021-01-20", env=env)[0] == 0
        assert len(ding.calls) == 2 and len(wx.calls) == 1  # level 2: unit again, and leader
        assert "〔二级督办〕" in ding.calls[1]["json"]["markdown"]["text"]
        assert [(r["level"], r["recipient"]) for r in sent_rows(root)] == \
            [("1", "李执法")] * 3 + [("2", "李执法")] * 3 + [("2", "赵副县长")] * 3


def test_failed_send_one_line_not_logged(tmp_path: Path) -> None:
    env = {"TEST_DINGTALK_SECRET": SECRET}
    with robot_server() as ding, robot_server() as wx:
        root = robots_workspace(tmp_path, ding, wx)
        wx.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
        code, _, err = run(root, "--lang", "en", "remind", "--as-of", "2021-01-20", env=env)
        assert code == 1 and "sent to 李执法 via ding: 3 items" in err
        line = [x for x in err.splitlines() if "赵副县长" in x]
        assert len(line) == 1 and "not sent to 赵副县长" in line[0] and "93000" in line[0]
        assert "Traceback" not in err
        assert {r["recipient"] for r in sent_rows(root)} == {"李执法"}
        wx.answer = {"errcode": 0, "errmsg": "ok"}
        code, _, err = run(root, "remind", "--as-of", "2021-01-20", env=env)
        assert code == 0 and "已发送 赵副县长(渠道 wx):3 项" in err
        assert len(ding.calls) == 1 and len(wx.calls) == 2
        # a secret variable not set: one line naming it, nothing sent or logged
        code, _, err = run(root, "remind", "--as-of", "2021-02-01",
                           env={"TEST_DINGTALK_SECRET": None})
        assert code == 1 and "'TEST_DINGTALK_SECRET'" in err and "is not set" in err
        assert len(ding.calls) == 1 and len(wx.calls) == 3  # wecom needs no secret
    # the robot down: one line per message
    code, _, err = run(root, "remind", "--as-of", "2021-02-01", env=env)
    assert code == 1 and err.count("未发送") == 2


def test_smtp_message(tmp_path: Path) -> None:
    with smtp_server() as (port, got):
        channels = f"""
[remind.channels.mail]
type = "smtp"
host = "127.0.0.1"
port = {port}
from = "县专班 <zhuanban@example.gov.cn>"
"""
        root = remind_workspace(tmp_path / "ws", channels, remind='channel = "mail"')
        code, _, err = run(root, "remind", "--as-of", "2021-01-20")
        assert code == 0, err
        assert [e.rcpt_tos for e in got] == [["li@example.gov.cn"], ["zhao@example.gov.cn"]]
        assert {e.mail_from for e in got} == {"zhuanban@example.gov.cn"}
        msg = email.message_from_bytes(got[1].content, policy=email.policy.default)
        assert msg["Subject"] == "二级督办提醒:截至 2021-01-20 共 3 项滞后"
        assert msg["From"] == "县专班 <zhuanban@example.gov.cn>"
        assert msg["To"] == "zhao@example.gov.cn"
        assert msg["Date"] and msg["Message-ID"]
        assert msg.get_content_type() == "text/plain"
        assert msg.get_content_charset() == "utf-8"
        body = msg.get_content()
        assert "**赵副县长**(分管领导):截至 2021-01-20" in body
        assert "点位 PP-2 西门口袋公园:逾期 20 天(截止 2020-12-31)〔二级督办〕" in body
        assert len(sent_rows(root)) == 6
        code, _, err = run(root, "remind", "--as-of", "2021-01-20")
        assert code == 0 and len(got) == 2 and "没有需要发送的新提醒" in err


def test_concurrent_runs_send_once(tmp_path: Path) -> None:
    """Two runs at once: the send log's lock makes the second see what the first sent."""
    from _ws_progress import run_cli

    env = {"TEST_DINGTALK_SECRET": SECRET, "PYTHONWARNINGS": "error",
           **{k: "" for k in NO_PROXY}}
    with robot_server() as ding, robot_server() as wx:
        root = robots_workspace(tmp_path, ding, wx)
        procs = [run_cli(root, "remind", "--as-of", "2021-02-01", env=env) for _ in range(3)]
        results = [p.communicate(timeout=300) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], results
        assert len(ding.calls) == 2 and len(wx.calls) == 1
        assert len(sent_rows(root)) == 9
        assert sum("没有需要发送的新提醒" in err for _, err in results) == 2

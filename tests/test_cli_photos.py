"""``citymap photos import`` and ``citymap photos list``, as a unit and the 专班 use them."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from _photos import FAR_OC1, phone_jpeg, photo_workspace, sample_folder, write
from citymap.attachments import ATTACHMENTS_DIR
from citymap.cli.main import cli


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return photo_workspace(tmp_path / "ws")


def run(root: Path, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["--workspace", str(root), *args])
    return r.exit_code, r.stdout, r.stderr


def test_dry_run_lists_and_writes_nothing(root: Path, tmp_path: Path) -> None:
    sample_folder(tmp_path / "照片")
    code, out, err = run(root, "photos", "import", str(tmp_path / "照片"), "--dry-run")
    assert code == 0, err
    lines = out.splitlines()
    assert sum(line.startswith("将附加: ") for line in lines) == 4
    assert "将附加: OC-1 2020-06-01 前 ← 照片/OC-1_前_2020-06-01.jpg" in lines
    assert "将附加: OC-2 2020-11-05 前 ← 照片/IMG_20201105_101500.jpg" in lines
    assert "将附加 4 张, 已有 1 张, 标记 0 张" in err  # the copy in 副本/ is the same photo
    assert not (root / ATTACHMENTS_DIR).exists()


def test_import_then_list(root: Path, tmp_path: Path) -> None:
    sample_folder(tmp_path / "照片")
    code, out, err = run(root, "photos", "import", str(tmp_path / "照片"))
    assert code == 0, err
    assert "已附加 4 张" in err
    code, out, err = run(root, "photos", "import", str(tmp_path / "照片"))
    assert code == 0 and out.count("已有 (同一照片)") == 5 and "已附加 0 张" in err
    code, out, _ = run(root, "photos", "list", "OC-1", "--format", "json")
    rows = json.loads(out)
    assert [(r["date"], r["kind"]) for r in rows] == [
        ("2020-06-01", "前"), ("2020-08-01", "中"), ("2020-11-02", "后")]
    code, out, _ = run(root, "--lang", "en", "photos", "list")
    assert code == 0 and "4 photos" in out and "after" in out and "before" in out
    code, out, err = run(root, "photos", "list", "NOPE")
    assert code == 2 and "unknown site 'NOPE'" in err


def test_flagged_not_attached_unless_accepted(root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "phone"
    write(folder / "OC-1_后.jpg", phone_jpeg(taken=dt.datetime(2021, 11, 20), lat=FAR_OC1[0],
                                            lon=FAR_OC1[1]))
    write(folder / "OC-2_中.jpg", phone_jpeg(taken=dt.datetime(2021, 10, 2), color=(1, 1, 1)))
    code, out, err = run(root, "photos", "import", str(folder), "--period", "2021-11")
    assert code == 0, err
    # 500 m on the ground; EPSG:4548's scale 214 km off its central meridian adds ~1 m
    assert re.search(r"已标记, 未附加: OC-1 2021-11-20 ← phone/OC-1_后.jpg — 距 OC-1 50[01] 米 "
                     r"\(超过 200 米\)", out)
    assert ("已标记, 未附加: OC-2 2021-10-02 ← phone/OC-2_中.jpg — 拍摄日期 2021-10-02 不在报告期 "
            "2021-11-01–2021-11-30 内") in out
    assert "--accept-flagged" in err and not (root / ATTACHMENTS_DIR).exists()
    code, out, err = run(root, "--lang", "en", "photos", "import", str(folder), "--from",
                         "2021-11-01", "--to", "2021-11-30", "--max-distance", "600")
    assert code == 0 and "flagged, not attached: OC-2" in out and "OC-1" not in out.split(
        "flagged")[1] and "attached 1 photo(s)" in err
    code, out, err = run(root, "photos", "import", str(folder), "--period", "2021-11",
                         "--accept-flagged")
    assert code == 0 and "已标记, 按 --accept-flagged 附加: OC-2" in out
    assert "已附加: OC-2 2021-10-02 中 [period] ← phone/OC-2_中.jpg" in out
    # the threshold of citymap.toml: 150 m south of PP-1 is near for 200 m, far for 100 m
    write(tmp_path / "near" / "x.jpg", phone_jpeg(taken=dt.datetime(2021, 5, 1),
                                                  lat=37.64 - 150 / 111000, lon=117.5705))
    code, out, err = run(root, "photos", "import", str(tmp_path / "near"), "--dry-run")
    assert code == 0 and "将附加: PP-1 2021-05-01" in out
    (root / "citymap.toml").write_text((root / "citymap.toml").read_text("utf-8")
                                       + "\n[photos]\nmax_distance_m = 100\n", "utf-8")
    code, out, err = run(root, "photos", "import", str(tmp_path / "near"), "--dry-run")
    assert code == 0 and re.search(r"已标记, 未附加: PP-1 .* 距 PP-1 15\d 米 \(超过 100 米\)", out)


def test_bad_files_exit_2_one_line_each(root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    write(folder / "OC-1_前_2020-06-01.jpg", phone_jpeg())
    write(folder / "OC-1_x.jpg", b"GIF89a not really")
    write(folder / "ZZ_1.jpg", phone_jpeg(color=(1, 1, 1)))
    code, out, err = run(root, "--lang", "en", "photos", "import", str(folder))
    assert code == 2 and out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines[0] == "Error: 2 problems found:" and len(lines) == 3
    assert any("bad/OC-1_x.jpg" in ln and "not an image" in ln for ln in lines)
    assert any("bad/ZZ_1.jpg" in ln and "names no site" in ln for ln in lines)
    assert not (root / ATTACHMENTS_DIR).exists()
    code, _, err = run(root, "--lang", "en", "photos", "import", str(folder), "--site", "NOPE")
    assert code == 2 and "'NOPE' is not a site id" in err
    code, _, err = run(root, "--lang", "en", "photos", "import", str(folder / "nothing"))
    assert code == 2 and "no such file or folder" in err
    code, _, err = run(root, "--lang", "en",
                       "photos", "import", str(folder), "--sheet", "nothing.csv")
    assert code == 2 and "nothing.csv: no such file" in err
    code, _, err = run(root, "--lang", "en", "photos", "import", str(folder), "--period", "2021-13")
    assert code == 2 and "is not a month" in err
    code, _, err = run(root, "--lang", "en", "photos", "import", str(folder), "--store", "postgresql:///x")
    assert code == 2 and "connecting failed on postgresql:///x" in err  # photos go to the store

"""The libraries the Python package carries are the npm tarballs' files at the locked versions."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from citymap.render.assets import VENDOR_DIR, VENDOR_FILES

ROOT = Path(__file__).resolve().parents[1]


def _manifest() -> dict[str, dict[str, object]]:
    return dict(json.loads((VENDOR_DIR / "MANIFEST.json").read_text(encoding="utf-8")))


def test_vendored_versions_are_the_lockfiles() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    manifest = _manifest()
    for name in {v.package for v in VENDOR_FILES}:
        entry = lock[f"node_modules/{name}"]
        assert manifest[name]["version"] == entry["version"], name
        assert manifest[name]["integrity"] == entry["integrity"], name


def test_vendored_files_are_the_manifests_and_complete() -> None:
    manifest = _manifest()
    listed = set()
    for name, info in manifest.items():
        files = info["files"]
        assert isinstance(files, dict)
        for rel, digest in files.items():
            listed.add(rel)
            assert hashlib.sha256((VENDOR_DIR / rel).read_bytes()).hexdigest() == digest, rel
        assert any("LICEN" in rel.upper() for rel in files), f"{name}: no licence file"
    for v in VENDOR_FILES:
        assert f"{v.package}/{v.path}" in listed
    on_disk = {str(p.relative_to(VENDOR_DIR)) for p in VENDOR_DIR.rglob("*") if p.is_file()}
    assert on_disk - {"MANIFEST.json"} == listed  # nothing else slipped in


def test_vendored_files_are_byte_identical_to_the_locked_tarballs() -> None:
    """Re-extract from the tarballs (npm's cache, no network) checked by the lockfile's hash."""
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "vendor_assets.py"), "--check",
                           "--offline"], capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode == 3:
        pytest.skip("the locked tarballs are not in npm's cache (run `npm ci` once)")
    assert done.returncode == 0, done.stderr

"""Copy the maps' JavaScript libraries from their npm tarballs into the Python package.

    python tools/vendor_assets.py            # write src/citymap/render/vendor/
    python tools/vendor_assets.py --check    # exit 1 when the vendored copy differs
    python tools/vendor_assets.py --check --offline   # from npm's cache only (exit 3: not there)

``package-lock.json`` is the source of the versions: for every library the maps load
(:data:`citymap.render.assets.VENDOR_FILES`) the tarball of the locked version is fetched with
``npm pack`` (from npm's cache when it is there), its SHA-512 is checked against the lockfile's
``integrity``, and the files the maps use are extracted unchanged into
``src/citymap/render/vendor/<package>/`` with ``MANIFEST.json`` (version, integrity and the
SHA-256 of every file). The vendored files are committed, so a wheel builds maps without npm;
``tests/test_vendor.py`` checks them against the lockfile (and, when npm's cache has the
tarballs, byte for byte against them). ``scripts/setup.sh`` runs ``--check``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from citymap.render.assets import VENDOR_DIR, VENDOR_FILES  # noqa: E402


def locked(lock: Path) -> dict[str, dict[str, str]]:
    """Package name → ``{version, integrity}`` from ``package-lock.json``."""
    pkgs = json.loads(lock.read_text(encoding="utf-8"))["packages"]
    out = {}
    for v in VENDOR_FILES:
        entry = pkgs[f"node_modules/{v.package}"]
        out[v.package] = {"version": entry["version"], "integrity": entry["integrity"]}
    return out


def tarball(package: str, version: str, integrity: str, tmp: Path, *,
            offline: bool = False) -> Path:
    """The npm tarball of ``package@version``, its SHA-512 checked against ``integrity``."""
    cmd = ["npm", "pack", f"{package}@{version}", "--pack-destination", str(tmp), "--silent"]
    if offline:
        cmd.append("--offline")
    name = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.split()[-1]
    path = tmp / name
    algo, _, want = integrity.partition("-")
    got = base64.b64encode(hashlib.new(algo, path.read_bytes()).digest()).decode()
    if got != want:
        raise SystemExit(f"{package}@{version}: the tarball's {algo} {got} is not the "
                         f"lockfile's {want}")
    return path


def wanted_members(package: str, names: list[str]) -> list[str]:
    """The tarball members of ``package`` the maps use (files, asset folders, licence)."""
    out = [n for n in names if n.count("/") == 1 and n.split("/")[1].upper().startswith(
        ("LICENSE", "LICENCE"))]
    for v in VENDOR_FILES:
        if v.package != package:
            continue
        out.append(f"package/{v.path}")
        for folder in v.assets:
            out.extend(n for n in names if n.startswith(f"package/{folder}/"))
    return sorted(set(out))


def extract(lock: Path, *, offline: bool = False) -> dict[str, bytes]:
    """Vendored path (``<package>/<file>``) → bytes, from the verified tarballs."""
    files: dict[str, bytes] = {}
    manifest: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as d:
        for package, info in locked(lock).items():
            tgz = tarball(package, info["version"], info["integrity"], Path(d), offline=offline)
            with tarfile.open(tgz) as tar:
                names = tar.getnames()
                sums = {}
                for member in wanted_members(package, names):
                    f = tar.extractfile(member)
                    if f is None:
                        continue
                    rel = f"{package}/{member.removeprefix('package/')}"
                    files[rel] = f.read()
                    sums[rel] = hashlib.sha256(files[rel]).hexdigest()
            manifest[package] = {**info, "files": sums}
    files["MANIFEST.json"] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only compare; exit 1 on a difference")
    ap.add_argument("--offline", action="store_true",
                    help="take the tarballs from npm's cache only (exit 3 when one is not there)")
    args = ap.parse_args(argv)
    try:
        files = extract(ROOT / "package-lock.json", offline=args.offline)
    except subprocess.CalledProcessError as exc:
        print(f"vendor: npm pack failed: {exc.stderr.strip()[:300]}", file=sys.stderr)
        return 3
    differ = [rel for rel, data in files.items()
              if not (VENDOR_DIR / rel).is_file() or (VENDOR_DIR / rel).read_bytes() != data]
    if args.check:
        for rel in differ:
            print(f"vendor: {rel} differs from the locked npm tarball", file=sys.stderr)
        return 1 if differ else 0
    for rel, data in files.items():
        out = VENDOR_DIR / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    print(f"vendor: {len(files)} files in {VENDOR_DIR.relative_to(ROOT)} "
          f"({len(differ)} changed)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The software release the hub serves to its devices (issue #14): the newest wheel or sdist in
`<data>/releases/`, put there by `motcua hub release add FILE` (or by hand)."""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from hub.domain.fleet import version_key

RELEASES = "releases"
_NAME_RE = re.compile(r"^(?P<name>[A-Za-z0-9_.]+)-(?P<version>[0-9][A-Za-z0-9_.+!]*?)(-.*\.whl|\.tar\.gz)$")


@dataclass(frozen=True)
class Release:
    package: str
    version: str
    path: Path
    sha256: str

    def as_dict(self) -> dict:
        return {"package": self.package, "version": self.version, "file": self.path.name, "sha256": self.sha256,
                "size": self.path.stat().st_size}


def parse_name(filename: str) -> tuple[str, str] | None:
    """(package, version) of a wheel or sdist file name, or None."""
    m = _NAME_RE.match(filename)
    return (m["name"].replace("_", "-").lower(), m["version"]) if m else None


def releases_dir(data_dir: Path) -> Path:
    return data_dir / RELEASES


def served_package(data_dir: Path) -> str:
    """The package the devices run: motcua, unless another was added last (`releases/package`)."""
    marker = releases_dir(data_dir) / "package"
    return marker.read_text().strip() if marker.is_file() else "motcua"


def current(data_dir: Path, package: str | None = None) -> Release | None:
    """The newest release of `package` the hub holds (wheels preferred to an sdist of the same version)."""
    package = package or served_package(data_dir)
    found: list[tuple[tuple, Path, str]] = []
    folder = releases_dir(data_dir)
    if not folder.is_dir():
        return None
    for path in folder.iterdir():
        parsed = parse_name(path.name)
        if parsed and parsed[0] == package.lower():
            found.append(((version_key(parsed[1]), path.suffix == ".whl"), path, parsed[1]))
    if not found:
        return None
    _key, path, version = max(found)
    return Release(package.lower(), version, path, hashlib.sha256(path.read_bytes()).hexdigest())


def add(data_dir: Path, source: Path) -> Release:
    """Copy a built wheel/sdist into the releases folder; refuses a file whose name carries no version."""
    parsed = parse_name(source.name)
    if parsed is None:
        raise ValueError(f"{source.name}: not a wheel or sdist name (package-version…whl / .tar.gz)")
    folder = releases_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, folder / source.name)
    (folder / "package").write_text(parsed[0])
    rel = current(data_dir, parsed[0])
    assert rel is not None
    return rel

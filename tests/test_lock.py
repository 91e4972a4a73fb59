"""requirements.lock pins every dependency pyproject.toml names, and the tests run on those pins."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from servers import ROOT

PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+?)(?: ; (.+?))? \\$")


def locked() -> list[tuple[str, Version, Marker | None]]:
    pins = []
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if match := PIN.match(line):
            name, version, marker = match.groups()
            pins.append((canonicalize_name(name), Version(version), Marker(marker) if marker else None))
    return pins


def test_the_lock_pins_every_dependency_within_its_bounds():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["test"]]]
    pins = locked()
    missing = []
    for requirement in wanted:
        versions = [version for name, version, _ in pins if name == canonicalize_name(requirement.name)]
        if not any(requirement.specifier.contains(version, prereleases=True) for version in versions):
            missing.append(f"{requirement}: locked {[str(v) for v in versions]}")
    assert missing == [], "requirements.lock is out of date, run `make lock`:\n" + "\n".join(missing)


def test_the_tests_run_on_the_locked_versions():
    pins = [(name, version) for name, version, marker in locked() if marker is None or marker.evaluate()]
    assert len(pins) > 20
    different = []
    for name, version in pins:
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "nothing"
        if installed != str(version):
            different.append(f"{name}: locked {version}, installed {installed}")
    assert different == [], "this environment was not installed from requirements.lock (make does):\n" + "\n".join(
        different
    )

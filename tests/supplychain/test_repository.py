"""The supply-chain files of the repository: locks, hooks, update configuration."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from fortresa.supplychain.inventory import locked_packages
from tests.supplychain.conftest import REPO

pytestmark = pytest.mark.smoke

BASE_LOCK = REPO / "requirements/base.txt"
DEV_LOCK = REPO / "requirements/dev.txt"


def _pins(lock: Path) -> dict[str, str]:
    return {package.name: package.version for package in locked_packages(lock)}


def _project() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]  # type: ignore[no-any-return]


def _unlocked(requirements: list[str], pins: dict[str, str]) -> list[str]:
    missing = []
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate({"extra": "dev"}):
            continue
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None or not requirement.specifier.contains(pin, prereleases=True):
            missing.append(f"{text} (locked: {pin})")
    return missing


def test_base_lock_pins_every_runtime_dependency_within_its_range() -> None:
    assert _unlocked(_project()["dependencies"], _pins(BASE_LOCK)) == [], (
        "pyproject.toml changed without the lock: run `make lock`"
    )


def test_dev_lock_pins_every_dependency_within_its_range() -> None:
    project = _project()
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]

    assert _unlocked(requirements, _pins(DEV_LOCK)) == [], (
        "pyproject.toml changed without the lock: run `make lock`"
    )


def test_dev_lock_keeps_the_base_lock_versions() -> None:
    base, dev = _pins(BASE_LOCK), _pins(DEV_LOCK)

    assert {name: dev.get(name) for name in base} == base


def test_every_pin_carries_a_hash() -> None:
    for lock in (BASE_LOCK, DEV_LOCK):
        text = lock.read_text()
        pins = re.findall(r"^[a-z0-9._-]+==", text, re.MULTILINE)
        hashed = re.findall(
            r"^[a-z0-9._-]+==[^\n]*\\\n\s+--hash=sha256:[0-9a-f]{64}", text, re.MULTILINE
        )
        assert len(hashed) == len(pins) > 0, lock.name


def test_installs_take_the_build_tools_from_the_lock() -> None:
    # `pip install --no-build-isolation -e .` needs them, hash-checked like the rest.
    assert {"setuptools", "wheel"} <= set(_pins(BASE_LOCK))


def test_package_lock_pins_the_declared_npm_tools_with_integrity_hashes() -> None:
    manifest = json.loads((REPO / "package.json").read_text())
    lock = json.loads((REPO / "package-lock.json").read_text())

    assert lock["packages"][""]["devDependencies"] == manifest["devDependencies"]
    observatory = lock["packages"]["node_modules/@mdn/mdn-http-observatory"]
    assert observatory["version"] == manifest["devDependencies"]["@mdn/mdn-http-observatory"]
    dependencies = {k: v for k, v in lock["packages"].items() if k}
    assert [
        k for k, v in dependencies.items() if not v.get("integrity", "").startswith("sha512-")
    ] == []


def test_pre_commit_configuration_is_valid() -> None:
    pre_commit = Path(sys.executable).with_name("pre-commit")

    completed = subprocess.run(
        [str(pre_commit), "validate-config", str(REPO / ".pre-commit-config.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_pre_commit_refuses_to_commit_a_secret(tmp_path: Path) -> None:
    repo = tmp_path / "clone"
    repo.mkdir()
    for name in (".pre-commit-config.yaml", ".secrets.baseline"):
        shutil.copy(REPO / name, repo / name)
    (repo / ".venv").symlink_to(Path(sys.executable).parent.parent)
    fake_key = "AKIA" + "ZQ3DT7EXAMPLE4RT"
    (repo / "settings.py").write_text(f'AWS = "{fake_key}"\n')
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "settings.py", ".pre-commit-config.yaml"], cwd=repo, check=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    completed = subprocess.run(
        [str(Path(sys.executable).with_name("pre-commit")), "run", "detect-secrets"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "AWS Access Key" in completed.stdout


def test_dependabot_refreshes_the_python_and_npm_locks() -> None:
    config = yaml.safe_load((REPO / ".github/dependabot.yml").read_text())

    ecosystems = {update["package-ecosystem"]: update["directory"] for update in config["updates"]}

    assert ecosystems["pip"] == "/"
    assert ecosystems["npm"] == "/"


@pytest.mark.skipif(shutil.which("apt-config") is None, reason="apt-config (Debian) not found")
def test_unattended_upgrades_configuration_parses_and_takes_security_updates() -> None:
    folder = REPO / "deploy/unattended-upgrades"

    dumps = {
        name: subprocess.run(
            ["apt-config", "-c", str(folder / name), "dump"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for name in ("20auto-upgrades", "51unattended-upgrades-fortresa")
    }

    assert 'APT::Periodic::Unattended-Upgrade "1";' in dumps["20auto-upgrades"]
    assert "label=Debian-Security" in dumps["51unattended-upgrades-fortresa"]

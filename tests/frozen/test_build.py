"""The packaged build: `python build_installer.py` makes a Linux artefact whose program self-checks.

Slow (PyInstaller takes a couple of minutes on two cores); run alone with `pytest -m frozen`.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.frozen, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 900


@pytest.fixture(scope="module")
def artefact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not sys.platform.startswith("linux"):
        pytest.skip("the CI build test makes the Linux artefact")
    if importlib.util.find_spec("PyInstaller") is None:
        if os.environ.get("CI"):
            pytest.fail("PyInstaller is not installed: the frozen build cannot be tested in CI")
        pytest.skip("PyInstaller is not installed (pip install -e '.[build]')")
    out = tmp_path_factory.mktemp("build")
    res = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build_installer.py"),
            "--dist",
            str(out / "dist"),
            "--work",
            str(out / "work"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )
    assert res.returncode == 0, f"build failed:\n{res.stdout[-4000:]}\n{res.stderr[-6000:]}"
    assert "--self-check: self-check passed" in res.stdout
    (tarball,) = (out / "dist").glob("privacy-console-*-linux-*.tar.gz")
    unpacked = out / "unpacked"
    with tarfile.open(tarball) as tar:
        tar.extractall(unpacked, filter="tar")
    (top,) = unpacked.iterdir()
    return top


def _run(program: Path, *args: str, tmp: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        CONSOLE_CONFIG="",
        CONSOLE_LOG_DIR=str(tmp / "logs"),
        CONSOLE_SETTINGS_DIR=str(tmp / "settings"),
        **extra,
    )
    return subprocess.run(
        [str(program), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_unpacked_artefact_has_a_desktop_entry_and_passes_its_self_check(
    artefact: Path, tmp_path: Path
) -> None:
    desktop = (artefact / "privacy-console.desktop").read_text(encoding="utf-8")
    assert "Exec=/opt/privacy-console/privacy-console" in desktop
    program = artefact / "privacy-console"
    version = _run(program, "--version", tmp=tmp_path)
    assert version.returncode == 0 and "0." in version.stdout and "build" in version.stdout
    check = _run(program, "--self-check", tmp=tmp_path)
    assert check.returncode == 0, check.stderr
    assert "PDF report rendered and verified" in check.stdout


def test_the_build_reads_a_site_configuration_beside_the_program(
    artefact: Path, tmp_path: Path
) -> None:
    (artefact / "config.toml").write_text(
        '[locked]\norganisation = "Beside The Program Ltd"\n', encoding="utf-8"
    )
    try:
        env = {k: v for k, v in os.environ.items() if k != "CONSOLE_CONFIG"}
        res = subprocess.run(
            [str(artefact / "privacy-console"), "config", "show"],
            env={**env, "CONSOLE_SETTINGS_DIR": str(tmp_path), "CONSOLE_LOG_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        (artefact / "config.toml").unlink()
    if Path("/etc/privacy-console/config.toml").exists():
        pytest.skip("this machine has a system-wide site configuration, which comes first")
    assert res.returncode == 0, res.stderr
    assert "Beside The Program Ltd" in res.stdout and "locked" in res.stdout


def test_the_build_reaches_a_team_database(artefact: Path, pg_url: str, tmp_path: Path) -> None:
    res = _run(
        artefact / "privacy-console",
        "--db",
        pg_url,
        "init",
        "--admin",
        "ada",
        tmp=tmp_path,
        CONSOLE_PASSWORD="correct horse battery staple",
    )
    assert res.returncode == 0, res.stderr
    assert "PostgreSQL" in res.stdout

"""Build the packaged console with PyInstaller, check it runs, and make the platform's artefact.

    python build_installer.py [--onefile] [--dist DIR] [--work DIR] [--skip-checks]

One folder by default (starts faster, and an admin can put config.toml beside the program).
After building, the built program's `--version` and `--self-check` run offscreen; the build fails
loudly if either fails. Linux: a .tar.gz with a .desktop entry. Windows: dist/ plus
packaging/windows/privacy-console.iss for Inno Setup. macOS: the .app, see packaging/macos/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SPEC = ROOT / "packaging" / "privacy-console.spec"
NAME = "privacy-console"
CHECK_TIMEOUT_S = 300


class BuildFailed(Exception):
    """The build or one of its checks failed; the message says which and shows the output."""


def package_version() -> str:
    namespace: dict[str, object] = {}
    init = (ROOT / "console" / "__init__.py").read_text(encoding="utf-8")
    for line in init.splitlines():
        if line.startswith("__version__"):
            exec(line, namespace)  # noqa: S102 - one assignment line of our own source
    return str(namespace["__version__"])


def git_describe() -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        out = subprocess.run(  # noqa: S603 - fixed arguments
            [git, "describe", "--always", "--dirty", "--tags"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def write_stamp(folder: Path) -> Path:
    stamp = {
        "version": package_version(),
        "describe": git_describe(),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "platform": f"{platform.system()}-{platform.machine()}",
        "python": platform.python_version(),
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "build_info.json"
    path.write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    return path


def run_pyinstaller(dist: Path, work: Path, onefile: bool, stamp: Path) -> None:
    env = dict(
        os.environ, CONSOLE_BUILD_ONEFILE="1" if onefile else "0", CONSOLE_BUILD_STAMP=str(stamp)
    )
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
    ]
    result = subprocess.run(cmd, cwd=ROOT, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BuildFailed(f"PyInstaller failed (exit {result.returncode}); see its output above.")


def program_path(dist: Path, onefile: bool) -> Path:
    exe = NAME + (".exe" if sys.platform == "win32" else "")
    return dist / exe if onefile else dist / NAME / exe


def check_program(program: Path) -> str:
    """Run --version and --self-check offscreen on a throwaway home; return the version line."""
    with tempfile.TemporaryDirectory(prefix="console-build-check-") as tmp:
        env = dict(
            os.environ,
            QT_QPA_PLATFORM="offscreen",
            CONSOLE_CONFIG="",
            CONSOLE_LOG_DIR=str(Path(tmp) / "logs"),
            CONSOLE_SETTINGS_DIR=str(Path(tmp) / "settings"),
        )
        env.pop("CONSOLE_DB_URL", None)
        outputs = []
        for flag in ("--version", "--self-check"):
            try:
                res = subprocess.run(  # noqa: S603 - the program we just built
                    [str(program), flag],
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=CHECK_TIMEOUT_S,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise BuildFailed(
                    f"{program.name} {flag} did not finish in {CHECK_TIMEOUT_S} s"
                ) from None
            if res.returncode != 0:
                log = Path(tmp) / "logs" / "console.log"
                tail = log.read_text(encoding="utf-8")[-4000:] if log.exists() else ""
                raise BuildFailed(
                    f"THE BUILT PROGRAM FAILED: {program} {flag} exited {res.returncode}\n"
                    f"--- stdout ---\n{res.stdout}\n--- stderr ---\n{res.stderr}\n--- log ---\n{tail}"
                )
            outputs.append(res.stdout.strip())
            print(f"{flag}: {res.stdout.strip()}")
        return outputs[0]


def linux_tarball(dist: Path, onefile: bool) -> Path:
    arch = platform.machine() or "unknown"
    out = dist / f"{NAME}-{package_version()}-linux-{arch}.tar.gz"
    top = f"{NAME}-{package_version()}"
    linux = ROOT / "packaging" / "linux"
    # Level 6: nearly the size of level 9 in a third of the time (the bundle is mostly binaries).
    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        if onefile:
            tar.add(program_path(dist, True), f"{top}/{NAME}")
        else:
            tar.add(dist / NAME, top)
        tar.add(linux / f"{NAME}.desktop", f"{top}/{NAME}.desktop")
        tar.add(linux / f"{NAME}.svg", f"{top}/{NAME}.svg")
        tar.add(linux / "install.sh", f"{top}/install.sh")
    return out


def folder_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onefile", action="store_true", help="one self-extracting executable")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="PyInstaller work folder")
    parser.add_argument(
        "--skip-checks",
        action="store_true",
        help="do not run the built program (only for debugging the build)",
    )
    args = parser.parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()
    started = time.monotonic()
    try:
        stamp = write_stamp(work / "stamp")
        run_pyinstaller(dist, work, args.onefile, stamp)
        program = program_path(dist, args.onefile)
        if not program.exists():
            raise BuildFailed(f"PyInstaller finished but {program} is missing")
        built = time.monotonic() - started
        size = folder_size(program if args.onefile else dist / NAME)
        print(f"built {program} in {built:.0f} s ({size / 1e6:.1f} MB)")
        if not args.skip_checks:
            check_program(program)
        if sys.platform.startswith("linux"):
            artefact = linux_tarball(dist, args.onefile)
            print(f"artefact: {artefact} ({artefact.stat().st_size / 1e6:.1f} MB)")
        elif sys.platform == "win32":
            print("next: compile packaging/windows/privacy-console.iss with Inno Setup (iscc)")
        elif sys.platform == "darwin":
            print("next: sign and make the disk image, see packaging/macos/README.md")
    except BuildFailed as exc:
        sys.stderr.write(f"\nBUILD FAILED: {exc}\n")
        return 1
    print(f"build passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

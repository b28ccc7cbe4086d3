"""The A/B baseline: another revision of this repository, installed in its own venv.

`--baseline REV` measures REV's allintop beside the working tree's in the same run, so
that a change reads as a ratio on a shared, noisy machine rather than as two figures
from two runs minutes or days apart. REV's files come from `git archive` (no worktree
to leave behind) into a temp dir, are installed with pip from that local copy into a
fresh venv together with the very packages (and versions) of the venv the bench runs
from (`pip freeze`): otherwise an A/B would also measure the venvs' difference (with
the test extras installed, click is there and httpx imports its CLI at start-up).
The venv is kept under bench/results/baselines/COMMIT-PACKAGES, so that a second
A/B against the same commit starts at once. A venv counts as built only once pip has
finished (its `.installed` stamp); one cut short is removed, or rebuilt next time.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import procs

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / "results" / "baselines"


@dataclass(frozen=True)
class Baseline:
    rev: str  # as the user gave it
    commit: str  # the full hash it names
    venv: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def command(self) -> list[str]:
        return [str(self.venv / "bin" / "allintop")]

    @property
    def short(self) -> str:
        return self.commit[:7]


def resolve(rev: str) -> str:
    """The full commit hash of `rev`; SystemExit with a clear message if there is none."""
    found = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0 or not found.stdout.strip():
        raise SystemExit(f"bench: --baseline {rev!r} is not a commit of this repository")
    return found.stdout.strip()


def install(rev: str, cleanup: procs.Cleanup, say: Callable[[str], None]) -> Baseline:
    """REV installed in its own venv (cached by commit); its allintop is ready to run."""
    commit = resolve(rev)
    packages = _packages()
    digest = hashlib.sha256(packages.encode()).hexdigest()[:10]
    final = CACHE / f"{commit}-{digest}"
    baseline = Baseline(rev, commit, final)
    done = final / ".installed"
    if done.exists():
        say(f"baseline {rev} ({baseline.short}): cached venv {final}")
        return baseline
    say(f"baseline {rev} ({baseline.short}): installing into its own venv…")
    shutil.rmtree(final, ignore_errors=True)  # a build that was cut short
    scratch = Path(tempfile.mkdtemp(prefix="allintop-baseline-"))
    forget = cleanup.push("baseline scratch", lambda: shutil.rmtree(scratch, ignore_errors=True))
    try:
        source = scratch / "src"
        _export(commit, source)
        requirements = scratch / "requirements.txt"
        requirements.write_text(packages)
        # Built where it stays (a venv's scripts name their own path); the stamp
        # written last is what makes it a cached venv.
        _run([sys.executable, "-m", "venv", str(final)], "python -m venv")
        _run(
            [str(final / "bin" / "python"), "-m", "pip", "install", "--quiet",
             "--disable-pip-version-check", "-r", str(requirements), str(source)],
            "pip install",
        )  # fmt: skip
        done.write_text(commit + "\n")
    except BaseException:
        shutil.rmtree(final, ignore_errors=True)
        raise
    finally:
        cleanup.run(forget)
    say(f"baseline {rev} ({baseline.short}): installed in {final}")
    return baseline


def _packages() -> str:
    """The running venv's packages pinned, allintop itself left out."""
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable", "--exclude", "allintop"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pinned = [line for line in frozen.splitlines() if "==" in line and " @ " not in line]
    return "\n".join(sorted(pinned)) + "\n"


def _export(commit: str, into: Path) -> None:
    """The commit's tracked files, as `git archive` gives them, extracted into `into`."""
    into.mkdir(parents=True)
    archive = into.parent / "src.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "archive", "--format=tar", commit], cwd=REPO, stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    archive.unlink()


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).splitlines()[-15:])
        raise RuntimeError(f"baseline: {what} failed ({done.returncode}):\n{tail}")

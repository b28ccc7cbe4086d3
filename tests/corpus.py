"""Where the tests find Grafana dashboards: the repository's own, and the public ones.

The repository's own (tests/fixtures/grafana/, see its README) are written for the
tests and cover every panel type, layout, variable kind and datasource reference the
loader reads; they are always there. The public corpus is an extra tier: real
dashboards by other people (Node Exporter Full, the Prometheus 2.0 Stats, ...), kept
outside the repository with their licences, at ../shared/fixtures/grafana beside the
checkout, or wherever $ALLINTOP_GRAFANA_CORPUS names. Without it, every test that
reads it is skipped, from one place (`path`), so pytest's summary says so in one line.

The bench reads Node Exporter Full through `directory`, which needs no pytest.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The repository's own Grafana dashboards.
OWN = ROOT / "tests" / "fixtures" / "grafana"
ENV = "ALLINTOP_GRAFANA_CORPUS"
BESIDE = ROOT.parent / "shared" / "fixtures" / "grafana"
REASON = "public Grafana corpus not found (../shared/fixtures/grafana or $ALLINTOP_GRAFANA_CORPUS)"
#: What `names` gives without the corpus: one name, whose test then says it is absent.
ABSENT = "corpus-absent"


def directory(environ: Mapping[str, str] = os.environ) -> Path | None:
    """The public corpus: $ALLINTOP_GRAFANA_CORPUS when set, else ../shared beside the
    checkout; None when that is no directory of dashboards."""
    found = Path(environ[ENV]).expanduser() if environ.get(ENV) else BESIDE
    return found if found.is_dir() and any(found.glob("*.json")) else None


def require() -> Path:
    """The public corpus; the test is skipped when there is none (the one place a
    test is skipped for it, so that pytest's summary counts them on one line)."""
    import pytest  # here: the bench imports this module without pytest installed

    found = directory()
    if found is None:
        pytest.skip(REASON)
    return found


def path(name: str) -> Path:
    """A dashboard of the public corpus; the test is skipped when there is none."""
    return require() / name


def names() -> list[str]:
    """The corpus' dashboards by file name, to parametrize over (ABSENT without it)."""
    found = directory()
    return sorted(p.name for p in found.glob("*.json")) if found is not None else [ABSENT]


def own(name: str) -> Path:
    """One of the repository's own dashboards."""
    return OWN / name


def dashboard(name: str) -> Path:
    """A dashboard by file name: the repository's own, else the public corpus' (the
    test is skipped when it is not there)."""
    return own(name) if own(name).is_file() else path(name)

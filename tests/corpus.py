"""Where the tests find Grafana dashboards: the repository's own, and the public ones.

The repository's own (tests/fixtures/grafana/, see its README) are written for the
tests and cover every panel type, layout, variable kind and datasource reference the
loader reads; they are always there. The public corpus is an extra tier: real
dashboards by other people (Node Exporter Full, the Prometheus 2.0 Stats, ...), kept
outside the repository with their licences, at ../shared/fixtures/grafana beside the
checkout, or wherever $ALLINTOP_GRAFANA_CORPUS names. Without it, every test that
reads it is skipped, from one place (`path`), so pytest's summary says so in one line.

Grafana 12's schema v2 dashboards are a folder of their own, both tiers alike: the
repository's (tests/fixtures/grafana-v2/) and the public ones (grafana-v2/ beside the
public corpus, or $ALLINTOP_GRAFANA_V2_CORPUS), read through `v2_names` / `v2_path`.

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
#: The repository's own schema v2 dashboards, and the public ones' place.
OWN_V2 = ROOT / "tests" / "fixtures" / "grafana-v2"
ENV_V2 = "ALLINTOP_GRAFANA_V2_CORPUS"
BESIDE_V2 = BESIDE.parent / "grafana-v2"
REASON_V2 = (
    "public Grafana v2 corpus not found (../shared/fixtures/grafana-v2 or "
    "$ALLINTOP_GRAFANA_V2_CORPUS)"
)
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


def v2_directory(environ: Mapping[str, str] = os.environ) -> Path | None:
    """The public schema v2 dashboards: $ALLINTOP_GRAFANA_V2_CORPUS when set, else
    grafana-v2 beside the public corpus; None when that is no directory of them."""
    found = Path(environ[ENV_V2]).expanduser() if environ.get(ENV_V2) else BESIDE_V2
    return found if found.is_dir() and any(found.glob("*.json")) else None


def v2_names() -> list[str]:
    """The public schema v2 dashboards by file name (ABSENT without them)."""
    found = v2_directory()
    return sorted(p.name for p in found.glob("*.json")) if found is not None else [ABSENT]


def v2_path(name: str) -> Path:
    """A public schema v2 dashboard; the test is skipped when there are none."""
    import pytest

    found = v2_directory()
    if found is None:
        pytest.skip(REASON_V2)
    return found / name


def v2_own() -> list[str]:
    """The repository's own schema v2 dashboards, by file name."""
    return sorted(p.name for p in OWN_V2.glob("*.json"))

"""The fast tier: the real app on an in-process fake Prometheus and a frozen clock."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _in_utc(utc: None) -> None:
    """Clock times on screen in UTC (see tests/conftest.py)."""

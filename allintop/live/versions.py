"""What a server's version means for what it can answer.

Prometheus 3 answers with what Prometheus 2 cannot: metric and label names outside
the legacy charset ({"http.route"}), `infos` beside warnings, native histograms
without a feature flag. The targets screen names each server's version and says
what it lacks, rather than a query failing later for a reason nobody shows.
Pure logic: no Textual, no network.
"""

from __future__ import annotations

from allintop.sources.answers import BuildInfo

#: What a Prometheus 2 server lacks of Prometheus 3's answers.
PROMETHEUS_2_LACKS = (
    "no UTF-8 metric or label names, no infos; "
    "native histograms only with --enable-feature=native-histograms"
)


def major(version: str) -> int | None:
    """The major version of "2.42.0+ds" or "v3.1.0", if it reads as one."""
    head = version.strip().lstrip("v").split(".", 1)[0]
    return int(head) if head.isdigit() else None


def version_note(build: BuildInfo | None, *, short: bool = False) -> str:
    """The server's version and what it lacks, in a line ("" while not known);
    `short`: the version alone."""
    if build is None:
        return ""
    if not build.version:
        return "" if short else "version unknown (the server gives no Prometheus build info)"
    found = major(build.version)
    if found is None:
        return f"version {build.version}"
    if found < 3 and not short:
        return f"Prometheus {build.version}: {PROMETHEUS_2_LACKS}"
    return f"Prometheus {build.version}"

"""The engines users move to, started for real on free loopback ports.

    with VictoriaMetrics([stack.backend_url]) as vm:      # Debian's victoria-metrics
        ...  # vm.url serves the Prometheus query API, scraping the backend every 1 s
    with Federation() as fed:                               # two clusters and a global
        ...  # fed.leaves[0].prometheus_url, fed.leaves[1]..., fed.global_url

Both use the demo stack's process helpers (free port, the child dying with this
process, SIGTERM then SIGKILL) and are always stopped, also when starting fails. A
missing victoria-metrics binary is a SetupError naming the package: the tests that
need it fail with that message rather than skip.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

import httpx
import yaml

from allintop.demo.children import ChildProcess, free_port, start_child, stop_children, wait_for
from allintop.demo.configs import JOB_NAME
from allintop.demo.stack import DemoStack
from allintop.errors import SetupError
from tests.helpers import prom_query, wait_until

START_TIMEOUT = 60.0
VICTORIA_METRICS_BIN = "victoria-metrics"


def _up(url: str, job: str, count: int = 1) -> bool:
    try:
        return len(prom_query(url, f'up{{job="{job}"}} == 1')) >= count
    except (httpx.HTTPError, KeyError, ValueError, AssertionError):
        return False


class VictoriaMetrics:
    """A single-node VictoriaMetrics scraping `targets` (base URLs) as the seed's job,
    every second, through -promscrape.config (it loads no alerting rules: that is
    vmalert's job)."""

    def __init__(self, targets: list[str], job: str = JOB_NAME) -> None:
        self.targets = [urlsplit(target).netloc for target in targets]
        self.job = job
        self.workdir: Path | None = None
        self.process: ChildProcess | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = START_TIMEOUT) -> Self:
        binary = shutil.which(VICTORIA_METRICS_BIN)
        if binary is None:
            raise SetupError(
                "no victoria-metrics binary on PATH",
                hint="apt-get install victoria-metrics (scripts/system-deps --test does)",
            )
        self.workdir = Path(tempfile.mkdtemp(prefix="allintop-vm-"))
        config = self.workdir / "scrape.yml"
        job = {"job_name": self.job, "static_configs": [{"targets": self.targets}]}
        scrape = {"global": {"scrape_interval": "1s", "scrape_timeout": "1s"}}
        config.write_text(yaml.safe_dump({**scrape, "scrape_configs": [job]}))
        self.port = free_port()
        command = [
            binary,
            f"-httpListenAddr=127.0.0.1:{self.port}",
            f"-storageDataPath={self.workdir / 'data'}",
            f"-promscrape.config={config}",
            "-loggerLevel=ERROR",
        ]
        self.process = start_child("victoria-metrics", command, self.workdir / "vm.log")
        try:
            deadline = time.monotonic() + timeout
            wait_for(lambda: _up(self.url, self.job), deadline, [self.process], "a first scrape")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop_children([self.process])
            self.process = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


FEDERATE_JOB = "federate"
CLUSTERS = ("a", "b")


class Federation:
    """Two leaf Prometheus servers, each scraping its own demo backend and labelled
    cluster="a" / "b" (external_labels), and a global Prometheus pulling the seed's
    job from both through /federate."""

    def __init__(self) -> None:
        self.leaves: list[DemoStack] = []
        self.global_stack: DemoStack | None = None

    @property
    def global_url(self) -> str:
        assert self.global_stack is not None
        return self.global_stack.prometheus_url

    def start(self) -> Self:
        try:
            for cluster in CLUSTERS:
                leaf = DemoStack(history=0, with_rules=False, external_labels={"cluster": cluster})
                self.leaves.append(leaf)
                leaf.start(timeout=START_TIMEOUT)
            federate = {
                "job_name": FEDERATE_JOB,
                "honor_labels": True,
                "metrics_path": "/federate",
                "params": {"match[]": [f'{{job="{JOB_NAME}"}}']},
                "static_configs": [
                    {"targets": [urlsplit(leaf.prometheus_url).netloc for leaf in self.leaves]}
                ],
            }
            self.global_stack = DemoStack(
                with_backend=False, with_rules=False, extra_scrape_configs=[federate]
            )
            self.global_stack.start(timeout=START_TIMEOUT)
            # Both clusters' series, with two samples each, so rate() has an answer.
            wait_until(
                lambda: (
                    len(
                        prom_query(
                            self.global_url,
                            "count by (cluster) (rate(allin_http_requests_total[1m]))",
                        )
                    )
                    == len(CLUSTERS)
                ),
                timeout=30,
                what="the global Prometheus to hold both clusters' series",
            )
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for stack in [*self.leaves, *([self.global_stack] if self.global_stack else [])]:
            stack.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

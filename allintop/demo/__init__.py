"""The bundled demo: a synthetic AllIN backend and a real Prometheus to scrape it.

- :mod:`allintop.demo.scenarios`: healthy / degraded / incident, as data;
- :mod:`allintop.demo.metrics`: the seed's ``allin_*`` metrics, as exposed;
- :mod:`allintop.demo.traffic`: those metrics driven by a scenario;
- :mod:`allintop.demo.backend`: the HTTP server (``python -m allintop.demo.backend``);
- :mod:`allintop.demo.history`: past traffic for the TSDB, so rates are right at once;
- :mod:`allintop.demo.stack`: :class:`~allintop.demo.stack.DemoStack`, the launcher, and
  what it starts and writes: :mod:`~allintop.demo.binaries` (finding them),
  :mod:`~allintop.demo.children` (child processes), :mod:`~allintop.demo.configs`
  (Prometheus' configuration and rules), :mod:`~allintop.demo.servers` (Alertmanager,
  node-exporter), :mod:`~allintop.demo.promtool` (the history's import);
- ``alerts.yml``: the seed's six alert rules, verbatim.

Nothing is imported here: the backend subprocess starts faster without httpx & co.
"""

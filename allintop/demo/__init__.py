"""The bundled demo: a synthetic AllIN backend and a real Prometheus to scrape it.

- :mod:`allintop.demo.scenarios`: healthy / degraded / incident, as data;
- :mod:`allintop.demo.traffic`: the seed's ``allin_*`` metrics driven by a scenario;
- :mod:`allintop.demo.backend`: the HTTP server (``python -m allintop.demo.backend``);
- :mod:`allintop.demo.history`: past traffic for the TSDB, so rates are right at once;
- :mod:`allintop.demo.stack`: :class:`~allintop.demo.stack.DemoStack`, the launcher;
- ``alerts.yml``: the seed's six alert rules, verbatim.

Nothing is imported here: the backend subprocess starts faster without httpx & co.
"""

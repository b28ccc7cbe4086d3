"""Grafana's dashboard schema v2 (Grafana 12 and later), read into the classic shape
the rest of allintop.dashboard.grafana converts.

A v2 dashboard is a Kubernetes-style resource: {"apiVersion":
"dashboard.grafana.app/v2beta1" (or v2alpha1, v2), "kind": "Dashboard", "metadata",
"spec"}. Its panels are `spec.elements`, keyed by name; where they go is
`spec.layout`, a tree of GridLayout (x, y, width, height per item), AutoGridLayout
(items flowed into columns), RowsLayout (rows that fold, each with a layout) and
TabsLayout (tabs, each with a layout). Each element becomes the classic panel JSON
(elements), each grid a classic row of them (layouts), the variables the classic
templating list (variables), so panels, fieldconfig, datasources and variables read
them as they read any dashboard. Pure: JSON in, JSON and dataclasses out.
"""

from __future__ import annotations

from allintop.dashboard.grafana.v2.board import V2Board, is_v2, read

__all__ = ["V2Board", "is_v2", "read"]

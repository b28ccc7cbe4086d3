"""The cards: one widget per panel on the dashboard, one module per kind.

`base` holds what every card shares (a line cache, the status classes, text lines);
`stat` is the value card (panels.yaml's and Grafana's stat); `body` the cards of one
or more queries drawn as body lines, and each kind of those a module of its own
(`gauge`, `chart`, `table`, `heatmap`, `other`); `text` a markdown panel. `kinds`
picks the card for a panel's kind.
"""

"""Theme colours for Rich text built in Python.

Widget colours live in allintop.tcss; text assembled in code (the header, the alerts
bar, table cells) resolves the same theme variables here, so `$error` is the theme's
red whatever the theme is.
"""

from __future__ import annotations

from textual.dom import DOMNode


def themed(node: DOMNode, style: str) -> str:
    """Replace `$variable` words in a Rich style by the app theme's colours."""
    if "$" not in style:
        return style
    variables = node.app.get_css_variables()
    return " ".join(variables.get(w[1:], w) if w.startswith("$") else w for w in style.split())

"""Screens pushed over the dashboard, one module each: help, alerts (and one rule),
targets, variables, contexts, a text panel, and zoom (its chart and legend beside it).

Live screens follow the dashboard through `allintop.ui.view.DashboardView`: each poll
the app calls their `refresh_from(view)`. None imports the app.
"""

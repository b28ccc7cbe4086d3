"""The running dashboard without a screen: the poller and fan-out, history at display
resolution, the dashboard state reduced from reports, alerting."""

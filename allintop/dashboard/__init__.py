"""What a dashboard is (Dashboard > Row > Panel > Query, Variable) and how one is
read: panels.yaml, Grafana JSON, the user config's contexts. No network."""

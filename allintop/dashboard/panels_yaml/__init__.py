"""panels.yaml: YAML composed to nodes, so every check knows its line, and read into
the dashboard model."""

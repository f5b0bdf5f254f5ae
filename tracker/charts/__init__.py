"""Charts as plain data: what each chart shows, and its renderers (JSON for plotly, SVG for the
PDF)."""

"""Renderers of change events and timelines: one module per output format, data in, text out."""

"""Widgets of the terminal client, one per module. They get data through reactives and
talk to their screen only through messages."""

"""The bare progress bar of the Today, Profile, Team and Challenges screens."""

from __future__ import annotations

from textual.widgets import ProgressBar


def plain_bar(id: str) -> ProgressBar:
    """Just the bar: no percentage, no ETA (a label beside it says the numbers); the
    screen sets ``total`` and ``progress`` with ``update``."""
    return ProgressBar(total=1, show_eta=False, show_percentage=False, id=id)

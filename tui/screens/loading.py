"""Shown while the session opens (and while the demo plays its 90 days)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Label, ProgressBar

LOGO = "\n".join(
    [
        "┏━┓┏━┓┏━┓┏━┓┏━┓┏━┓╺┳╸",
        "┣┳┛┣━┫┣━┛┣━┛┃ ┃┣┳┛ ┃ ",
        "╹┗╸╹ ╹╹  ╹  ┗━┛╹┗╸ ╹ ",
    ]
)


class LoadingScreen(Screen[None]):
    BINDINGS = [("q", "app.quit", "Quit")]

    def __init__(self, message: str = "") -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Middle(), Center(id="loading-box"):
            yield Label(LOGO, id="logo")
            yield Label("results · relationships · every day", id="tagline")
            yield Label(self.message or "Starting…", id="loading-message")
            yield ProgressBar(total=1.0, show_eta=False, id="loading-progress")
            yield Label("", id="loading-status")

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = bool(self.message)

    def report(self, fraction: float, label: str) -> None:
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(progress=fraction)
        self.query_one("#loading-status", Label).update(label)

    def fail(self, message: str) -> None:
        self.query_one(ProgressBar).display = False
        self.query_one("#loading-message", Label).update(message)
        self.query_one("#loading-message").add_class("-error")
        self.query_one("#loading-status", Label).update(
            "q quit · ctrl+l connect to a server · --data-dir to use another folder"
        )

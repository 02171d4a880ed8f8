"""The Textual terminal client (``rapport``).

It talks to the server only through ``shared.client``; the one exception is
``tui.launch``, which may import ``server`` to run the service in-process (see the
import-linter contract in ``pyproject.toml``).
"""

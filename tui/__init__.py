"""The Textual terminal client (arrives with its own issue). Talks to the server only
through ``shared``; never imports ``server``."""

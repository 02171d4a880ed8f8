"""Rapport's two themes. ``$results`` and ``$relationships`` colour the two categories
everywhere (rows, balance meter); other Textual themes get the defaults below."""

from __future__ import annotations

from textual.theme import Theme

CATEGORY_DEFAULTS = {"results": "#5aa9f0", "relationships": "#e879a6"}

DARK = Theme(
    name="rapport-dark",
    primary="#f0a03c",
    secondary="#8b93f5",
    accent="#4fc4b0",
    warning="#f2b43c",
    error="#f06470",
    success="#5fcf80",
    foreground="#e4e6ee",
    background="#14151b",
    surface="#1b1d25",
    panel="#262936",
    dark=True,
    variables={
        "results": "#62b0f5",
        "relationships": "#ef82ae",
        "footer-key-foreground": "#f0a03c",
        "block-cursor-background": "#2f3446",
        "block-cursor-foreground": "#e4e6ee",
        "block-cursor-text-style": "bold",
        "input-selection-background": "#f0a03c 35%",
    },
)

LIGHT = Theme(
    name="rapport-light",
    primary="#c4550f",
    secondary="#4b52c9",
    accent="#0f7a6e",
    warning="#b45d09",
    error="#c02636",
    success="#18813f",
    foreground="#1f2330",
    background="#f6f4ef",
    surface="#fffdf8",
    panel="#e9e4d8",
    dark=False,
    variables={
        "results": "#1f6fd0",
        "relationships": "#c23a7c",
        "footer-key-foreground": "#c4550f",
        "block-cursor-background": "#e3dccb",
        "block-cursor-foreground": "#1f2330",
        "block-cursor-text-style": "bold",
        "input-selection-background": "#c4550f 30%",
    },
)

THEMES = (DARK, LIGHT)

"""Remapping keys from ``[keys]`` in config.toml: which entries can be used, and why the
others cannot (an unknown binding id, or a key that something else on the same screen
already answers). No I/O, no screens: the app passes its bindings in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from textual.binding import Binding

Scope = Sequence[Binding]


def _keys(text: str) -> list[str]:
    return [key.strip() for key in text.split(",") if key.strip()]


def checked_keymap(
    keymap: Mapping[str, str], scopes: Iterable[Scope]
) -> tuple[dict[str, str], list[str]]:
    """The entries of ``keymap`` to apply, and a sentence for each one left out.

    ``scopes`` are the bindings active together (the app's, a screen's and its widgets').

    >>> from textual.binding import Binding
    >>> scope = [Binding("s", "skip", "Skip", id="today.skip"),
    ...          Binding("u", "undo", "Undo", id="today.undo")]
    >>> checked_keymap({"today.skip": "x", "today.skipp": "y"}, [scope])
    ({'today.skip': 'x'}, ["no binding has the id 'today.skipp'"])
    >>> checked_keymap({"today.skip": "u"}, [scope])
    ({}, ['today.skip: u is already today.undo'])
    """
    scopes = [list(scope) for scope in scopes]
    known = {b.id for scope in scopes for b in scope if b.id}
    usable: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            problems.append(f"no binding has the id {binding_id!r}")
            continue
        clash = None
        for scope in scopes:
            if not any(b.id == binding_id for b in scope):
                continue
            for other in scope:
                if other.id == binding_id:
                    continue
                remapped = keymap.get(other.id) if other.id else None
                taken = _keys(remapped if remapped is not None else other.key)
                hit = next((k for k in _keys(keys) if k in taken), None)
                if hit is not None and other.action != _action(scope, binding_id):
                    clash = f"{binding_id}: {hit} is already {other.id or other.description}"
                    break
            if clash:
                break
        if clash:
            problems.append(clash)
        else:
            usable[binding_id] = keys
    return usable, problems


def _action(scope: Scope, binding_id: str) -> str:
    return next(b.action for b in scope if b.id == binding_id)

"""A Rapport export as JSON bytes and back, a piece at a time.

msgspec encodes and decodes in C without letting go of the GIL: one call over a 30 MB
export holds every other thread, the event loop's included, for a third of a second. So
an export is encoded habit by habit (and the ledger a thousand entries at a time) and
decoded the same way, in a worker thread; between pieces the event loop gets its turn.
The pieces join to exactly the bytes one call would give (``tests/services`` checks it),
so signatures made either way agree.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Annotated, Any, get_args, get_origin

import msgspec

from server.services.errors import Invalid
from shared import schemas

_encoder = msgspec.json.Encoder()
LEDGER_PIECE = 1_000  # ledger entries encoded in one call
_PIECEWISE = ("habits", "ledger")


def _raw_items(kind: Any) -> Any:
    """``Annotated[list[X], Meta(...)]`` as ``Annotated[list[Raw], Meta(...)]``: the same
    bounds on the list, its items left undecoded."""
    if get_origin(kind) is Annotated:
        base, *metas = get_args(kind)
        return Annotated[(_raw_items(base), *metas)]
    return list[msgspec.Raw]


def _field(f: msgspec.structs.FieldInfo) -> tuple[Any, ...]:
    kind = _raw_items(f.type) if f.name in _PIECEWISE else f.type
    return (f.name, kind) if f.required else (f.name, kind, f.default)


# RapportExport with its habits and ledger entries left as raw JSON, decoded one by one.
_Shell: Any = msgspec.defstruct(
    "_Shell",
    [_field(f) for f in msgspec.structs.fields(schemas.RapportExport)],
    kw_only=True,
    forbid_unknown_fields=True,
)


def pieces(export: schemas.RapportExport) -> Iterator[bytes]:
    """The export's JSON in pieces whose join is ``msgspec.json.encode(export)``."""
    shell = _encoder.encode(msgspec.structs.replace(export, habits=[], ledger=[]))
    # A key's quotes are the only unescaped quotes that can spell it: strings escape theirs.
    head, rest = shell.split(b'"habits":[]', 1)
    middle, tail = rest.split(b'"ledger":[]', 1)
    yield head + b'"habits":['
    for n, habit in enumerate(export.habits):
        yield (b"," if n else b"") + _encoder.encode(habit)
    yield b"]" + middle + b'"ledger":['
    for start in range(0, len(export.ledger), LEDGER_PIECE):
        chunk = _encoder.encode(export.ledger[start : start + LEDGER_PIECE])[1:-1]
        yield (b"," if start else b"") + chunk
    yield b"]" + tail


def encode(export: schemas.RapportExport) -> bytes:
    return b"".join(pieces(export))


def signature(key: bytes, export: schemas.RapportExport) -> str:
    """HMAC-SHA256 of the export's JSON without its signature, in hex."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for piece in pieces(msgspec.structs.replace(export, signature=None)):
        mac.update(piece)
    return mac.hexdigest()


def decode(data: bytes) -> schemas.RapportExport:
    """A Rapport export from its JSON, checked as strictly as one call would check it;
    anything else is the uploader's 422, saying where."""
    try:
        shell = msgspec.json.decode(data, type=_Shell)
    except RecursionError as exc:
        raise Invalid("the file nests too deeply to be a Rapport export", field="file") from exc
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise Invalid(f"not a valid Rapport export: {exc}", field="file") from exc
    fields = {f.name: getattr(shell, f.name) for f in msgspec.structs.fields(_Shell)}
    fields["habits"] = _items(fields["habits"], schemas.ExportHabit, "habits")
    fields["ledger"] = _items(fields["ledger"], schemas.ExportLedgerEntry, "ledger")
    return schemas.RapportExport(**fields)


def _items(raws: list[msgspec.Raw], kind: type[Any], where: str) -> list[Any]:
    items = []
    for n, raw in enumerate(raws):
        try:
            items.append(msgspec.json.decode(raw, type=kind))
        except RecursionError as exc:
            raise Invalid(f"{where}[{n}] nests too deeply", field="file") from exc
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            # Paths in the message are the item's own: make them the file's.
            message = str(exc)
            if "`$" in message:
                message = message.replace("`$", f"`$.{where}[{n}]", 1)
            else:
                message += f" - at `$.{where}[{n}]`"
            raise Invalid(f"not a valid Rapport export: {message}", field="file") from exc
    return items

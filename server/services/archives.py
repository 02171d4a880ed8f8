"""Reading an uploaded ZIP without trusting it.

A ZIP says how many entries it has and how large each unpacks, and may lie about both;
a 200 KB file can unpack to gigabytes. Here the entry count is bounded before anything is
read, each entry is unpacked a chunk at a time while the bytes that actually come out are
counted (per entry and for the whole file), and every way an archive can be damaged or
locked (bad CRC, broken deflate, encryption, an unknown compression method, a truncated
file) is the uploader's 422, never the server's 500.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from server.services.errors import Invalid

MAX_ENTRIES = 2_100  # Loop: two files a habit for 500 habits, and a few more
MAX_ENTRY_BYTES = 4 * 1024 * 1024  # decades of one habit's daily rows
MAX_TOTAL_BYTES = 32 * 1024 * 1024  # everything read from one file
_CHUNK = 64 * 1024
_DAMAGED = (
    zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
    ValueError,  # an entry name flagged UTF-8 that is not (UnicodeDecodeError)
)  # fmt: skip


_END = b"PK\x05\x06"  # end of central directory record
_END_SEARCH = 22 + 65_535  # the record, and a comment of at most 64 KiB


def _declared_entries(data: bytes) -> int:
    """The entry count the archive's end record states (0 if there is none): zipfile
    would otherwise read the whole directory, a few seconds for 500,000 empty entries,
    before the count could be checked. (A ZIP64 archive states 0xFFFF here; zipfile's
    own count is checked after it, as before.)

    >>> import io, zipfile
    >>> buffer = io.BytesIO()
    >>> with zipfile.ZipFile(buffer, "w") as z:
    ...     for n in range(3): z.writestr(f"{n}.csv", "")
    >>> _declared_entries(buffer.getvalue()), _declared_entries(b"not a zip")
    (3, 0)
    """
    at = data.rfind(_END, max(0, len(data) - _END_SEARCH))
    if at < 0 or len(data) < at + 12:
        return 0
    return int.from_bytes(data[at + 10 : at + 12], "little")


class Archive:
    """An uploaded ZIP whose entries are read under the limits above."""

    def __init__(self, data: bytes, *, what: str) -> None:
        self.what = what
        self._read = 0
        if _declared_entries(data) > MAX_ENTRIES:  # before zipfile reads every entry
            raise Invalid(f"the archive holds more than {MAX_ENTRIES} files", field="file")
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
        except _DAMAGED as exc:
            raise Invalid(f"not a ZIP file: upload the file {what} wrote", field="file") from exc
        infos = self._zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise Invalid(f"the archive holds more than {MAX_ENTRIES} files", field="file")
        self._infos = {info.filename: info for info in infos}

    def names(self) -> list[str]:
        return list(self._infos)

    def text(self, name: str) -> str:
        """The entry as UTF-8 text (a BOM dropped), unpacked under the limits."""
        info = self._infos[name]
        if info.flag_bits & 0x1:
            raise Invalid(f"{name} is encrypted; export again without a password", field="file")
        chunks: list[bytes] = []
        size = 0
        try:
            with self._zip.open(info) as entry:
                while chunk := entry.read(_CHUNK):
                    size += len(chunk)
                    self._read += len(chunk)
                    if size > MAX_ENTRY_BYTES:
                        raise Invalid(
                            f"{name} unpacks to more than {MAX_ENTRY_BYTES // 2**20} MiB",
                            field="file",
                        )
                    if self._read > MAX_TOTAL_BYTES:
                        raise Invalid(
                            f"the archive unpacks to more than {MAX_TOTAL_BYTES // 2**20} MiB",
                            field="file",
                        )
                    chunks.append(chunk)
        except _DAMAGED as exc:
            raise Invalid(f"{name} is damaged in the archive: {exc}", field="file") from exc
        try:
            return b"".join(chunks).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise Invalid(f"{name} is not UTF-8 text", field="file") from exc

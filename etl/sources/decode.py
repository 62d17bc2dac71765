"""Turning a file's bytes into text: byte-order marks, UTF-16 without one, UTF-8 (also with a
few broken bytes), then legacy encodings guessed by charset-normalizer. Files that are not text
(images, archives, documents renamed to .txt) are refused with a reason an analyst can act on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from etl.errors import BinaryFileError, EmptyFileError, UndecodableError

# Leading bytes of common non-text files, with a name an analyst recognises.
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (Word .docx and Excel .xlsx files are ZIP archives too)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document (.doc/.xls)"),
    (b"{\\rtf", "an RTF (rich text) document"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a program file"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xfe\xff", "utf-16"),
    (b"\xff\xfe", "utf-16"),
)

# When charset-normalizer finds several encodings equally plausible, prefer the ones our sources
# actually use (Western European and Cyrillic Windows code pages) over look-alikes such as cp1250.
_PREFERRED_LEGACY_ENCODINGS = ("cp1252", "cp1251")
_TIE_MARGIN = 0.01
_MAX_CONTROL_CHAR_RATIO = 0.005
_NEARLY_UTF8_MAX_BAD = 3

_SAVE_AS_UTF8 = "open it in a text editor and save it as UTF-8"
_EMPTY = "is empty (0 bytes), so there is no article to load; add the text or remove the file"
WHITESPACE_ONLY = "contains only whitespace, no text, so there is no article to load"


@dataclass(frozen=True)
class Decoded:
    """A file's text, the encoding used, and how many invalid UTF-8 bytes were replaced by '�'."""

    text: str
    encoding: str
    replaced_bytes: int = 0


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a file's bytes to text and name the encoding used (see `decode`)."""
    decoded = decode(data)
    return decoded.text, decoded.encoding


def decode(data: bytes) -> Decoded:
    """Decode a file's bytes to text.

    Order: BOM-marked UTF-8/16/32, BOM-less UTF-16, UTF-8 (also when a handful of stray bytes
    are broken, which are then replaced rather than garbling the rest), then charset-normalizer's
    best guess for legacy encodings (cp1251 Russian, cp1252/latin-1 French or German ...).
    Raises EmptyFileError, BinaryFileError or UndecodableError with a reason an analyst can act on.
    """
    if not data.strip():
        raise EmptyFileError(_EMPTY if not data else WHITESPACE_ONLY)
    _reject_known_binary(data)
    decoded = _decode_with_bom(data) or _decode_nul_bearing(data) or _decode_text(data)
    if not decoded.text.strip():
        raise EmptyFileError(WHITESPACE_ONLY)
    if _control_char_ratio(decoded.text) > _MAX_CONTROL_CHAR_RATIO:
        raise BinaryFileError(
            "is not text: it is full of control characters, so it is probably a binary file "
            "renamed to a text extension; save the article's text as a .txt file instead"
        )
    return decoded


def _reject_known_binary(data: bytes) -> None:
    for signature, kind in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise BinaryFileError(
                f"is not text: it looks like {kind}; save the article's text as a .txt file "
                f"(UTF-8) and put that in the folder instead"
            )


def _decode_with_bom(data: bytes) -> Decoded | None:
    """Text of a file that starts with a byte-order mark, or None when it has none."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), codec)
            except UnicodeDecodeError as exc:
                raise UndecodableError(
                    f"starts with a {codec.upper()} byte-order mark but is not valid "
                    f"{codec.upper()} (bad bytes at position {exc.start}); {_SAVE_AS_UTF8}"
                ) from exc
    return None


def _decode_nul_bearing(data: bytes) -> Decoded | None:
    """Text files never hold NUL bytes, except UTF-16 without a byte-order mark.

    Returns None when there is no NUL byte, decoded text when the file is BOM-less UTF-16,
    and raises BinaryFileError otherwise.
    """
    if b"\x00" not in data:
        return None
    codec = _bomless_utf16_codec(data)
    if codec is not None:
        try:
            return Decoded(data.decode(codec), codec)
        except UnicodeDecodeError:
            pass
    raise BinaryFileError(
        "is not text: it contains NUL bytes, which text files never do, so it is probably an "
        "image, archive or document renamed to a text extension; save the article's text as a "
        ".txt file instead"
    )


def _bomless_utf16_codec(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when every NUL sits on the same byte of a pair.

    UTF-16 text puts a NUL in the high byte of each ASCII character (space, digits, Latin),
    so the NULs fall on one parity only; binary files have them everywhere.
    """
    if len(data) % 2:
        return None
    odd_nuls = data[1::2].count(0)
    even_nuls = data[0::2].count(0)
    if odd_nuls and not even_nuls:
        return "utf-16-le"
    if even_nuls and not odd_nuls:
        return "utf-16-be"
    return None


def _decode_text(data: bytes) -> Decoded:
    """UTF-8 if valid (or nearly so), else the likeliest legacy encoding, else UndecodableError."""
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    nearly = _nearly_utf8(data)
    if nearly is not None:
        return nearly
    codec = _guess_legacy_encoding(data)
    if codec is None:
        raise UndecodableError(
            "is not UTF-8 and its character encoding could not be recognised, so the text would "
            f"come out garbled; {_SAVE_AS_UTF8}"
        )
    return Decoded(data.decode(codec), codec)


def _nearly_utf8(data: bytes) -> Decoded | None:
    """UTF-8 with a few broken bytes replaced, when the rest is clearly UTF-8.

    A legacy-encoding guess would turn every correct accented letter and curly quote into
    mojibake to accommodate one stray byte, so a few '�' are the lesser harm.
    """
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd") - data.count("\ufffd".encode())
    valid_multibyte = sum(1 for char in text if ord(char) > 127) - text.count("\ufffd")
    few = replaced <= max(_NEARLY_UTF8_MAX_BAD, len(text) // 1000)
    if few and valid_multibyte >= 2 * replaced:
        return Decoded(text, "utf-8", replaced)
    return None


def _guess_legacy_encoding(data: bytes) -> str | None:
    """charset-normalizer's pick, preferring cp1252/cp1251 among equally plausible candidates."""
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    for preferred in _PREFERRED_LEGACY_ENCODINGS:
        for match in matches:
            plausible = (
                match.chaos <= best.chaos + _TIE_MARGIN
                and match.coherence >= best.coherence - _TIE_MARGIN
            )
            if plausible and preferred in match.could_be_from_charset:
                return preferred
    return best.encoding


# Unicode category Cc (C0, DEL, C1) less the whitespace controls \t \n \v \f \r.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _control_char_ratio(text: str) -> float:
    """Share of characters that are control characters other than ordinary whitespace."""
    sample = text[:100_000]
    return len(_CONTROL_CHARS.findall(sample)) / max(len(sample), 1)

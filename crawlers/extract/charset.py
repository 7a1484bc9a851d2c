"""Decode HTML bytes to text: HTTP header, then BOM / meta declaration, checked against the content."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, resolve_encoding

# Pages that declare these are often really written in a superset; decode with the superset.
SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
}


# Encodings in which any byte is a character: decoding with them never fails, right or wrong.
SINGLE_BYTE = frozenset({"cp1252", "latin-1", "iso8859-1", "iso8859-15", "cp1250", "cp1251", "koi8-r"})
# Encodings of East Asian text, where most characters take two bytes or more.
MULTI_BYTE = frozenset(
    {"gb18030", "gbk", "gb2312", "big5", "big5hkscs", "shift_jis", "cp932", "euc_jp", "euc_kr"}
)


def _multi_byte(body: bytes) -> bool:
    """Is the page, whatever it declares, written in an East Asian multi-byte encoding? Many bytes above
    127 and charset_normalizer's reading say so."""
    if sum(b > 127 for b in body[:200_000]) < 200:
        return False
    best = from_bytes(body[:200_000]).best()
    return best is not None and (_normalise(best.encoding) or best.encoding) in MULTI_BYTE


def _normalise(name: str | None) -> str | None:
    if not name:
        return None
    resolved = resolve_encoding(name)
    if not resolved:
        return None
    name = codecs.lookup(resolved).name
    return SUPERSETS.get(name, name)


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return (text, encoding). A declared charset that cannot decode the bytes is not trusted.

    Bytes that decode as UTF-8 are UTF-8 whatever the page declares: multi-byte UTF-8 sequences almost
    never occur by chance in legacy encodings, while a wrong "iso-8859-1" label is common.
    """
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", "replace"), "utf-8"
    candidates = [
        "utf-8",
        _normalise(http_content_type_encoding(content_type) if content_type else None),
        _normalise(html_body_declared_encoding(body[:4096])),
    ]
    lenient = body.decode("utf-8", "replace")
    broken = lenient.count("\ufffd")
    if broken and sum(ord(c) > 127 for c in lenient) - broken >= 20 * broken:
        # mostly valid UTF-8 with a few stray bytes: a legacy charset would garble all the rest
        return lenient, "utf-8"
    for encoding in dict.fromkeys(c for c in candidates if c):
        if encoding in SINGLE_BYTE and _multi_byte(body):
            continue  # a GBK page that declares iso-8859-1 decodes "fine", into mojibake
        try:
            return body.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    best = from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        encoding = _normalise(best.encoding) or best.encoding
        return body.decode(encoding, "replace"), encoding
    return body.decode("utf-8", "replace"), "utf-8"

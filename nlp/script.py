"""Chinese in traditional script (Hong Kong, Taiwan and overseas outlets) read through its simplified form.

The knowledge base's Chinese names, the cues of incidents.zh.yaml and jieba's dictionary are in simplified
script, so "支付寶" (Alipay) and "默認勾選" (pre-ticked) in a Hong Kong paper matched nothing. The Chinese
pipeline's tokenizer (privwatch_zh_tokenizer_v1) segments the simplified form of such a text instead, and
keeps the text as written on the Doc (doc._.privwatch_source_text), from which evidence sentences are
quoted: the analyst reads the outlet's own words.

The conversion is OpenCC's traditional-to-simplified tables (opencc-python-reimplemented, data in its
wheel), phrases before characters, so "乾淨" becomes "干净" while "乾隆" stays. Its every entry has the
length of what it replaces, so a character offset in the simplified text is the same offset in the
original. Simplified text (see simplified()) is left as it is, unconverted and unmarked.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import opencc
from spacy.lang.zh import ChineseTokenizer
from spacy.tokens import Doc

SOURCE_TEXT_ATTR = "privwatch_source_text"  # the text as written, when the Doc holds its simplified form
if not Doc.has_extension(SOURCE_TEXT_ATTR):
    Doc.set_extension(SOURCE_TEXT_ATTR, default=None)
TO_SIMPLIFIED = opencc.OpenCC("t2s")


@lru_cache(maxsize=20_000)
def _traditional_only(character: str) -> bool:
    return TO_SIMPLIFIED.convert(character) != character


def simplified(text: str) -> str | None:
    """The text in simplified script, the same length, when it is written in traditional script; None
    when it is not (simplified text, or no Chinese at all).

    Written in traditional script: two different characters of traditional script only, or one in a
    text of fewer than 20 Chinese characters (a headline). OpenCC maps a few characters simplified text
    uses too ("乾" of a name, "乾禾信贷", to "干"): one such character, however often it comes, leaves a
    longer simplified text as it is."""
    counts = Counter(c for c in text if c >= "\u3400")
    traditional = [c for c in counts if _traditional_only(c)]
    if not traditional or (len(traditional) == 1 and sum(counts.values()) >= 20):
        return None
    converted = TO_SIMPLIFIED.convert(text)
    return converted if len(converted) == len(text) and converted != text else None


class SimplifyingTokenizer(ChineseTokenizer):
    """spaCy's Chinese tokenizer over the simplified form of a text in traditional script."""

    def __call__(self, text: str) -> Doc:
        converted = simplified(text)
        if converted is None:
            return super().__call__(text)
        doc = super().__call__(converted)
        doc._.set(SOURCE_TEXT_ATTR, text)
        return doc


def source_text(span) -> str:
    """What a span of a Doc says as the outlet wrote it."""
    source = span.doc._.get(SOURCE_TEXT_ATTR)
    return source[span.start_char : span.end_char] if source is not None else span.text

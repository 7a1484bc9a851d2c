"""The language of an article: py3langid on its text (the model ships inside the wheel; nothing downloads),
the page's declared language when the text is too short or too mixed to say.

Only English has a tagging pipeline; an article in another language gets its language recorded and the
knowledge base's company mentions, never the English incident tagger's guesses (nlp/pipeline.py).
"""

from __future__ import annotations

import re
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# Below this many letters the text says too little (a headline alone): the declared language decides. A
# Chinese, Japanese or Korean character carries about a word: it counts as CJK_LETTERS letters.
MIN_LETTERS = 40
CJK_LETTERS = 4
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# py3langid's normalised probability the text's language needs to override the declared one. For a text
# written mostly in CJK characters that declares none, less is enough: py3langid spreads such a text's
# probability over the languages that share them (0.4-0.8 for plain Chinese news is usual).
MIN_PROBABILITY = 0.9
MIN_PROBABILITY_HAN = 0.4
# The first characters are enough to tell a language, and the cost stays flat for long articles.
SAMPLE_CHARS = 400
# Chinese as py3langid splits it: it labels much Hong Kong and Taiwan news in traditional script "yue"
# (Cantonese), and Shanghainese "wuu"; privwatch reads all written Chinese with one pipeline (in
# traditional script through its simplified form, nlp/script.py)
WRITTEN_CHINESE = {"yue": "zh", "wuu": "zh"}


@cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def language_code(tag: str | None) -> str | None:
    """ "en-US", "zh_CN", "EN" -> "en", "zh", "en"; None or "" -> None."""
    if not tag:
        return None
    return tag.replace("_", "-").split("-")[0].strip().lower() or None


def detect_language(text: str, declared: str | None = None, default: str = "en") -> str:
    """The article's language code: the text's when py3langid is sure, else the declared one, else default.

    The first SAMPLE_CHARS characters decide most articles at a tenth of a millisecond; when they leave
    py3langid unsure, a sample ten times longer gets the last word."""
    declared = language_code(declared)
    for sample in (text[:SAMPLE_CHARS], text[: SAMPLE_CHARS * 10]):
        letters = sum(ch.isalpha() for ch in sample)
        cjk = len(CJK.findall(sample))
        if letters + (CJK_LETTERS - 1) * cjk < MIN_LETTERS:
            continue
        language, probability = _identifier().classify(sample)
        needed = MIN_PROBABILITY_HAN if not declared and cjk > letters / 2 else MIN_PROBABILITY
        if probability >= needed:
            return WRITTEN_CHINESE.get(language, language)
        if len(sample) == len(text):
            break
    return declared or default

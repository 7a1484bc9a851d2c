"""Story assignment: each incident article joins the story of the same controversy or opens a new one.

A story is one underlying event of one accused company (or set of companies), across outlets, languages and
days. An article is a candidate for the stories that share one of its accused companies (an unknown
organisation matches its own short or long name, and a Chinese one its pinyin) and have an article within the
window of its date (settings.yaml `stories.window_days`); a fine, ruling or probe also those of up to
`stories.follow_up_window_days` before, when its words match them (`min_text_follow_up`). Among those it must
share words with the story's articles in its own language (`min_text`): the same company in the same week with
other words is another event. Its score adds the share of its accused companies in the story, the share of its
incident types the story has (a fine or probe, `enforcement`, follows any event), and the best cosine of rare
words with an article of the story, less a little for the gap in days; the best story at `join_threshold` or
more wins, otherwise the article opens a story. Against a story with no article in its language, the words the
two languages share stand in (the English glosses of the Chinese words, nlp/bilingual.py). Weights and
thresholds are settings, tuned on tests/nlp_gold/stories-dev.jsonl, stories-dev2.jsonl and stories-dev3.jsonl.

Words are those of headline, opening and evidence sentences, weighed by rarity from wordfreq's frequency
lists (English and Chinese), so "Sesame" and "芝麻" weigh far more than "data" or "用户", and the
companies' own names are left out: two articles about one company share its name whatever they report.
Figures ("38,000", "3.8万") are terms of their own that every language shares.

The cost per article is bounded: it meets the CANDIDATE_STORIES latest stories of its companies, and in
each the COMPARED_PER_LANGUAGE latest articles of its language (a story of a thousand articles about one
company, or a thousand stories of it in a month, cost no more than a few dozen).

Articles are taken in time order, so a rebuild from the same tags gives the same stories and a new crawl
only adds to them. A syndicated copy (duplicate_of) goes where its original went. Articles that name a
story's company but in which the tagger found no incident join it as coverage when their words match
(`coverage_threshold`); they never open a story and are not matched against.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache

import jieba
from sqlite_utils import Database

from config.settings import StorySettings
from nlp.bilingual import bridge
from nlp.organisations import place_names
from nlp.script import simplified
from storage import stories as store

# wordfreq segments Chinese with its own jieba dictionary, whose loading jieba logs line by line to stderr:
# a command's output (the digest's one line) stays its own
jieba.setLogLevel(logging.WARNING)

# wordfreq's Zipf scale: 7 is "the", 1 a word seen once in a billion; unknown names get 0
COMMONEST_ZIPF = 6.0
RARE_NAME_WORD = 1.5  # rarity (6 - Zipf) from which a word of a company name is its name, not a word
# a figure (an amount, a count of users) weighs like a rare word: two reports that give the same one
# are likely about the same event, whatever their language
FIGURE_WEIGHT = 5.0
FIGURE = re.compile(
    r"(\d+(?:[,，]\d{3})*(?:\.\d+)?)\s*(万|亿|thousand|million|billion|k\b|m\b|bn\b)?", re.IGNORECASE
)
MULTIPLIERS = {
    "万": 1e4,
    "亿": 1e8,
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
}
COMPARED_PER_LANGUAGE = 12  # a story's latest articles in a language that an article is compared with
CANDIDATE_STORIES = 40  # the stories of its accused companies, latest activity first, an article may join
# the incident type that follows other types: a fine or probe joins the story of the event it punishes
FOLLOW_UP_TYPES = frozenset({"enforcement"})
CJK = re.compile(r"[\u3400-\u9fff]")
POSSESSIVE = re.compile(r"['’]s?$")  # "Alipay's" and "users'" are the words "alipay" and "users"
# storage cuts the opening at a fixed length: a word it cuts through ("rectif") is no rare word
CUT_WORD = re.compile(r"\s\S{1,30}$")
EARLIEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class StoryArticle:
    """An incident article as story assignment sees it."""

    id: int
    at: datetime | None
    language: str
    copy_of: int | None
    accused: frozenset[str]  # for coverage, the companies it names
    types: frozenset[str]
    terms: dict[str, float] = field(hash=False, compare=False)
    coverage: bool = False  # no incident of its own: it may join a story, never open one
    text: str = field(default="", repr=False, compare=False)  # what its terms were read from
    names: frozenset[str] = field(default=frozenset(), repr=False, compare=False)  # left out of its terms

    @cached_property
    def shared_terms(self) -> dict[str, float]:
        """Its terms as a report in the other language can have them (nlp/bilingual.py)."""
        return bridge(self.terms, self.text, self.language, english_rarity, self.names)

    @classmethod
    def from_row(cls, row: dict, names: frozenset[str] = frozenset(), coverage: bool = False) -> StoryArticle:
        """`names`: words of company names, left out of the terms (see name_words)."""
        language = row["language"] or ("zh" if CJK.search(row["title"] or "") else "en")
        opening = row["opening"] or ""
        if len(opening) >= store.OPENING_CHARS:
            opening = CUT_WORD.sub("", opening)
        text = "\n".join([row["title"] or "", opening, *row["evidence"]])
        if language == "zh":  # a Hong Kong report and a mainland one share their words (nlp/script.py)
            text = simplified(text) or text
        orgs = {key[4:] for key in row["accused"] if key.startswith("org:")}
        names = names | name_words(orgs)
        return cls(
            id=row["id"],
            at=parse_time(row["at"]),
            language=language,
            copy_of=row["duplicate_of"],
            accused=frozenset(row["accused"]),
            types=frozenset(row["types"]),
            terms={t: w for t, w in term_weights(text, language).items() if t not in names},
            coverage=coverage,
            text=text,
            names=names,
        )


@dataclass
class Story:
    key: int | str  # a stored story's id, or the name of one opened in this run
    articles: list[StoryArticle] = field(default_factory=list)
    # per language, the articles an article is compared with: the latest few, so that a story of
    # hundreds of articles costs no more to match than one of a dozen
    recent: dict[str, deque[StoryArticle]] = field(default_factory=dict)
    accused: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    first: datetime | None = None
    last: datetime | None = None

    def add(self, article: StoryArticle) -> None:
        self.articles.append(article)
        self.recent.setdefault(article.language, deque(maxlen=COMPARED_PER_LANGUAGE)).append(article)
        self.accused |= article.accused
        self.types |= article.types
        if article.at:
            self.first = min(filter(None, (self.first, article.at)))
            self.last = max(filter(None, (self.last, article.at)))


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@lru_cache(maxsize=200_000)
def _rarity(token: str, language: str) -> float:
    from wordfreq import zipf_frequency

    return max(0.0, COMMONEST_ZIPF - zipf_frequency(token, language))


def english_rarity(word: str) -> float:
    return _rarity(word, "en")


def figures(text: str) -> set[str]:
    """The figures of a text as language-free terms ("#38000" for "38,000", "3.8万" and "38 thousand");
    years and numbers under 100 (dates, durations) are left out."""
    found = set()
    for digits, multiplier in FIGURE.findall(text):
        value = float(re.sub("[,，]", "", digits)) * MULTIPLIERS.get((multiplier or "").lower(), 1)
        if value < 100 or (not multiplier and "." not in digits and 1900 <= value <= 2100):
            continue
        found.add(f"#{round(value)}")
    return found


def term_weights(text: str, language: str) -> dict[str, float]:
    """Each distinct word of the text with its rarity (0 for the commonest words, which are left out),
    and its figures."""
    from wordfreq import tokenize

    language = "zh" if language == "zh" else "en"
    weights = dict.fromkeys(figures(text), FIGURE_WEIGHT)
    for token in {POSSESSIVE.sub("", t) for t in tokenize(text, language)}:
        if (len(token) > 1 or CJK.match(token)) and not token[0].isdigit():
            weight = _rarity(token, language)
            if weight > 0:
                weights[token] = weight
    return weights


def name_words(names: Iterable[str]) -> frozenset[str]:
    """The rare words of company names ("meituan", "芝麻", not "pay" or "cloud"). Two articles that share
    an accused company share its name: only the other words they share say they tell the same story."""
    from wordfreq import tokenize

    words = set()
    for name in names:
        language = "zh" if CJK.search(name) else "en"
        words.update(t for t in tokenize(name, language) if _rarity(t, language) >= RARE_NAME_WORD)
    return frozenset(words)


@lru_cache(maxsize=200_000)  # a story's organisations meet every article of the same names
def same_organisation(a: str, b: str) -> bool:
    """Two names of one organisation the knowledge base lacks, as reports vary them: equal once
    normalised, one the start of the other ("Kestrel Payroll" and "Kestrel Payroll Services", also
    without the words of how it is held: "Northgate Health Partners" and "Northgate Health Clinics"), a
    Chinese short form of the full name ("汇岭小贷" of "深圳市汇岭小额贷款有限公司"), or a Chinese name with
    the same own name (the lender's app "汇岭借", nlp/chinese.py own_name)."""
    from nlp.chinese_names import abbreviates, own_name
    from nlp.names import normalise_name

    a, b = normalise_name(a), normalise_name(b)
    short, full = sorted((a, b), key=len)
    if not short:
        return False
    if CJK.search(a) and CJK.search(b):
        return short in full or abbreviates(short, full) or own_name(short) == own_name(full) != ""
    if CJK.search(a) or CJK.search(b):
        chinese, latin = (a, b) if CJK.search(a) else (b, a)
        return romanised(chinese, latin)
    if full == short or full.startswith(short + " "):
        return True
    # "Northgate Health Partners", the group, and "Northgate Health Clinics", its business
    short, full = sorted((_without_structure(a), _without_structure(b)), key=len)
    return " " in short and (full == short or full.startswith(short + " "))


# words for how a business is held, which reports add or leave out ("Partners", "Holdings", "Group")
STRUCTURE_WORDS = frozenset("group holdings partners company corporation enterprises".split())


def _without_structure(name: str) -> str:
    words = name.split()
    while len(words) > 1 and words[-1] in STRUCTURE_WORDS:
        words.pop()
    return " ".join(words)


def romanised(chinese: str, latin: str) -> bool:
    """Is the Latin-script name the Chinese one as an English report writes it ("Jieya Dental" for "洁雅
    口腔", "Chengdu Zhixing Education Technology" and "Zhixing Campus" for "成都知行星辰教育科技")? After
    any place, its first word is the pinyin of the Chinese name's first two to four characters."""
    place, own = pinyin_forms(chinese)
    latin_words = [w for w in re.split(r"[^a-z0-9]+", latin.lower()) if w]
    # the place of registration, whether or not the Chinese name gives it ("Hangzhou Manying" for "满盈金融")
    if len(latin_words) > 1 and (latin_words[0] == place or latin_words[0] in place_names()):
        latin_words = latin_words[1:]
    return bool(latin_words) and len(latin_words[0]) >= 4 and latin_words[0] in own


@lru_cache(maxsize=100_000)  # every unknown organisation of a story meets every other's name
def pinyin_forms(chinese: str) -> tuple[str, frozenset[str]]:
    """The pinyin of a Chinese name's place of registration, and of its first two to four characters after
    it, as English reports run them together ("chengdu", {"zhixing", "zhixingxing", ...})."""
    from pypinyin import lazy_pinyin

    from nlp.chinese_names import dictionary_words, place_words

    words = dictionary_words(chinese)
    place_chars = sum(len(w) for w, _, _ in words[: place_words(words)])
    syllables = lazy_pinyin(chinese)
    own = syllables[place_chars:]
    forms = frozenset("".join(own[:k]) for k in range(2, min(4, len(own)) + 1))
    return "".join(syllables[:place_chars]), forms


def shared_accused(keys: Iterable[str], story_keys: Iterable[str]) -> int:
    """How many of an article's accused (company ids, "org:" names) the story's accused include."""
    story_keys = set(story_keys)
    orgs = [k[4:] for k in story_keys if k.startswith("org:")]
    return sum(
        key in story_keys or (key.startswith("org:") and any(same_organisation(key[4:], o) for o in orgs))
        for key in keys
    )


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    shared = sum(weight * weight for token, weight in a.items() if token in b)
    if not shared:
        return 0.0
    norm_a = math.sqrt(sum(w * w for w in a.values()))
    norm_b = math.sqrt(sum(w * w for w in b.values()))
    return shared / (norm_a * norm_b)


class StoryIndex:
    """The stories by accused company, so that an article is matched with the stories of its companies
    only, the CANDIDATE_STORIES latest of them."""

    def __init__(self, stories: Iterable[Story]):
        self.by_accused: dict[str, dict[int, Story]] = {}
        self.with_organisations: dict[int, Story] = {}  # matched by name, not by key
        for story in stories:
            for article in story.articles:
                self.add(story, article)

    def add(self, story: Story, article: StoryArticle) -> None:
        for key in article.accused:
            self.by_accused.setdefault(key, {})[id(story)] = story
            if key.startswith("org:"):
                self.with_organisations[id(story)] = story

    def candidates(self, article: StoryArticle) -> list[Story]:
        found = {}
        for key in article.accused:
            found.update(self.by_accused.get(key, {}))
            if key.startswith("org:"):
                found.update(
                    (n, s) for n, s in self.with_organisations.items() if shared_accused([key], s.accused)
                )
        latest = sorted(found.values(), key=lambda s: s.last or EARLIEST, reverse=True)
        return latest[:CANDIDATE_STORIES]


class StoryAssigner:
    def __init__(self, settings: StorySettings, names: frozenset[str] = frozenset()):
        """`names`: words of the knowledge base's company names (name_words), left out of the terms."""
        self.settings = settings
        self.window = timedelta(days=settings.window_days)
        self.follow_up_window = max(self.window, timedelta(days=settings.follow_up_window_days))
        self.names = names

    @classmethod
    def for_database(cls, db: Database, settings: StorySettings) -> StoryAssigner:
        return cls(settings, name_words(store.company_names(db)))

    def articles(self, rows: Iterable[dict], coverage: bool = False) -> list[StoryArticle]:
        return [StoryArticle.from_row(r, self.names, coverage) for r in rows]

    def gap(self, article: StoryArticle, story: Story) -> timedelta:
        if not (article.at and story.first and story.last):
            return timedelta(0)
        if article.at < story.first:
            return story.first - article.at
        return max(timedelta(0), article.at - story.last)

    def score(self, article: StoryArticle, story: Story) -> float | None:
        """How well the article fits the story; None when it cannot join it (no shared accused company,
        outside the window, or words of another event)."""
        gap = self.gap(article, story)
        # past the window only a fine, ruling or probe may still join the event it follows
        late = gap > self.window
        if late and (article.coverage or gap > self.follow_up_window or not article.types & FOLLOW_UP_TYPES):
            return None
        shared = shared_accused(article.accused, story.accused)
        if not shared:
            return None
        texts = [cosine(article.terms, other.terms) for other in story.recent.get(article.language, ())]
        # an organisation the knowledge base lacks is in few stories: the name alone may say which
        unknown = shared_accused([k for k in article.accused if k.startswith("org:")], story.accused)
        if texts and max(texts) < self.settings.min_text and not unknown:
            return None  # the same company, but the words of another event
        if texts:
            evidence = max(texts)
        else:  # told only in the other language: the words the two languages share
            others = [o for recent in story.recent.values() for o in recent]
            evidence = max((cosine(article.shared_terms, o.shared_terms) for o in others), default=0.0)
        if article.coverage:
            return evidence  # only its words say it covers the story
        if late and evidence < self.settings.min_text_follow_up:
            return None
        weights = self.settings.weights
        own, theirs = article.types - FOLLOW_UP_TYPES, story.types - FOLLOW_UP_TYPES
        if own and theirs and not own & theirs and evidence < self.settings.min_text_other_kind:
            return None  # the same company, another kind of incident, and no words of this one
        score = weights.accused * shared / len(article.accused)
        score += weights.types * (len(own & theirs) / len(own) if own and theirs else weights.types_unknown)
        score += weights.text * (evidence if texts else max(weights.text_other_language, evidence))
        return score - weights.gap * min(gap, self.window) / self.window

    def best(self, article: StoryArticle, stories: Iterable[Story]) -> tuple[Story | None, float | None]:
        best, best_score = None, None
        for story in stories:
            score = self.score(article, story)
            if score is not None and (best_score is None or score > best_score):
                best, best_score = story, score
        threshold = self.settings.coverage_threshold if article.coverage else self.settings.join_threshold
        if best_score is None or best_score < threshold:
            return None, best_score
        return best, best_score

    def assign(
        self, articles: Sequence[StoryArticle], stories: list[Story]
    ) -> list[tuple[int | str, int, float | None]]:
        """Assign the articles (in time order) to the stories, opening new ones as needed; the stories
        grow. Returns (story key, article id, score) per assigned article; a new story's key is "new-N"."""
        story_of: dict[int, Story] = {a.id: s for s in stories for a in s.articles}
        index = StoryIndex(stories)
        assignments = []
        for article in articles:
            story, score = story_of.get(article.copy_of), None
            if story is None:
                if not article.accused:  # a copy of an article in no story
                    continue
                story, score = self.best(article, index.candidates(article))
            if story is None:
                if article.coverage:
                    continue
                story = Story(key=f"new-{len(stories)}")
                stories.append(story)
            if not article.coverage:  # stories are matched on their incident articles only
                story.add(article)
                index.add(story, article)
            story_of[article.id] = story
            assignments.append((story.key, article.id, score))
        return assignments

    def cover(self, db: Database, stories: list[Story]) -> list[tuple[int | str, int, float | None]]:
        """Coverage: articles that name a story's accused company (or organisation, by the same name) but
        in which the tagger found no incident (a reaction, a follow-up, a report it missed) join the story
        whose words they match best, above `stories.coverage_threshold`; they never open a story."""
        companies = {key for story in stories for key in story.accused if not key.startswith("org:")}
        orgs = {key[4:] for story in stories for key in story.accused if key.startswith("org:")}
        times = [t for story in stories for t in (story.first, story.last) if t]
        if not (companies or orgs) or not times:
            return []
        start, end = (min(times) - self.window).isoformat(), (max(times) + self.window).isoformat()
        rows = store.coverage_candidates(db, companies, start, end, orgs)
        return self.assign(self.articles(rows, coverage=True), stories)


def update_stories(db: Database, settings: StorySettings, retagged: Iterable[int] = ()) -> int:
    """Bring stories up to date after a tag run: articles whose tags were replaced leave their stories,
    then every incident article in no story joins or opens one, and articles without an incident may
    join one as its coverage. Stories outside the dates of these articles are not touched. Returns how
    many articles were assigned."""
    retagged = list(retagged)
    store.leave_stories(db, retagged)
    assigner = StoryAssigner.for_database(db, settings)
    articles = assigner.articles(store.incident_articles(db, store.unassigned_incident_ids(db)))
    # re-tagged articles without an incident may now cover a story of their dates
    times = [a.at for a in articles if a.at] + [parse_time(t) for t in store.article_times(db, retagged)]
    times = [t for t in times if t]
    stories = []
    if times:
        window = assigner.follow_up_window
        start, end = (min(times) - window).isoformat(), (max(times) + window).isoformat()
        nearby = store.stories_between(db, start, end)
        members = {
            a.id: a
            for a in assigner.articles(
                store.incident_articles(db, [i for ids in nearby.values() for i in ids])
            )
        }
        for story_id, ids in nearby.items():
            story = Story(key=story_id)
            for article_id in ids:
                if article_id in members:
                    story.add(members[article_id])
            stories.append(story)
    assignments = assigner.assign(articles, stories)
    assignments += assigner.cover(db, stories)
    store.write_assignments(db, assignments)
    return len(assignments)


def rebuild_stories(db: Database, settings: StorySettings) -> int:
    """Assign every incident article again from nothing, keeping each rebuilt story under the id of the
    old story most of its articles were in (links to story pages survive a re-tag). Returns the number
    of stories."""
    assigner = StoryAssigner.for_database(db, settings)
    articles = assigner.articles(store.incident_articles(db))
    old_story_of = store.memberships(db)
    store.replace_all_stories(db, {})  # coverage candidates are articles in no story
    stories: list[Story] = []
    assignments = assigner.assign(articles, stories) + assigner.cover(db, stories)
    members: dict[int | str, list[tuple[int, float | None]]] = {}
    for key, article_id, score in assignments:
        members.setdefault(key, []).append((article_id, score))
    store.replace_all_stories(db, keep_story_ids(members, old_story_of))
    return len(members)


def keep_story_ids(
    stories: dict[int | str, list[tuple[int, float | None]]], old_story_of: dict[int, int]
) -> dict[int, list[tuple[int, float | None]]]:
    """Number rebuilt stories: each takes the old id that most of its articles had (stories in order of
    their first article; an old id goes once), the rest new ids after the highest old one."""
    numbered: dict[int, list[tuple[int, float | None]]] = {}
    unmatched = []
    for members in stories.values():
        votes = Counter(old_story_of[a] for a, _ in members if a in old_story_of)
        old = next((story_id for story_id, _ in votes.most_common() if story_id not in numbered), None)
        if old is None:
            unmatched.append(members)
        else:
            numbered[old] = members
    next_id = max([*old_story_of.values(), *numbered, 0]) + 1
    for offset, members in enumerate(unmatched):
        numbered[next_id + offset] = members
    return numbered


# -- evaluation ---------------------------------------------------------------------------------------------


def b_cubed(gold: dict[str, str | None], predicted: dict[str, str | None]) -> dict[str, float]:
    """B-cubed precision, recall and F1 (Bagga and Baldwin) of predicted stories against gold stories,
    averaged over the articles of gold stories. An article in no story (gold or predicted) is alone in
    its own; a predicted story counts all its articles, so an article wrongly placed in a story lowers
    the precision of that story's articles."""

    def clusters(labels: dict[str, str | None]) -> dict[str, set[str]]:
        members: dict[str, set[str]] = {}
        for item, label in labels.items():
            members.setdefault(label if label is not None else f"alone:{item}", set()).add(item)
        return {
            item: members[label if label is not None else f"alone:{item}"] for item, label in labels.items()
        }

    gold_of, predicted_of = clusters(gold), clusters({item: predicted.get(item) for item in gold})
    items = [item for item, label in gold.items() if label is not None]
    if not items:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0, "articles": 0}
    precision = sum(len(predicted_of[i] & gold_of[i]) / len(predicted_of[i]) for i in items) / len(items)
    recall = sum(len(predicted_of[i] & gold_of[i]) / len(gold_of[i]) for i in items) / len(items)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "articles": len(items),
    }

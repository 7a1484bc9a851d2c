"""Every privwatch spaCy factory, registered here and nowhere else.

Arguments are keyword-only and have no defaults: their values, with the reasons for them, are in
nlp/config.cfg, the one place that assembles the pipeline. Data (knowledge base, regulators, taxonomy)
is not an argument: it arrives through each component's initialize() (nlp/pipeline.py).
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.language import Language
from spacy.util import registry

from nlp.article_tags import ArticleTags
from nlp.chinese import ChineseOrganisations, chinese_sentences
from nlp.chinese_incidents import ChineseIncidents, ChineseResponses, ChineseRoles
from nlp.companies import OrgLinker
from nlp.company_ruler import CompanyRuler
from nlp.gate import PrivacyGate
from nlp.incidents import IncidentTypes
from nlp.preprocess import CachedPosLemma, paragraph_boundaries
from nlp.responses import Responses
from nlp.roles import AccusedCompanies
from nlp.script import SimplifyingTokenizer
from nlp.severity import ChineseSeverity, Severity


@registry.callbacks("privwatch_max_length_v1")
def make_max_length(max_length: int) -> Callable[[Language], Language]:
    """[nlp.after_pipeline_creation]: the characters of a text the pipeline reads, kept in its config so
    a saved pipeline keeps them (settings.yaml nlp.tag_budget_chars; nlp/pipeline.py fills it in)."""

    def set_max_length(nlp: Language) -> Language:
        nlp.max_length = max_length
        return nlp

    return set_max_length


Language.component("privwatch_paragraphs_v1", func=paragraph_boundaries)
Language.component("privwatch_zh_sentences_v1", func=chinese_sentences)


@Language.factory("privwatch_privacy_gate_v1")
def make_privacy_gate(nlp: Language, name: str):
    return PrivacyGate(nlp, name)


@Language.factory("privwatch_pos_lemma_v1")
def make_pos_lemma(nlp: Language, name: str, *, attribute_ruler: str, lemmatizer: str, max_cache: int):
    return CachedPosLemma(nlp, name, attribute_ruler, lemmatizer, max_cache)


@Language.factory("privwatch_company_ruler_v2")
def make_company_ruler(nlp: Language, name: str):
    return CompanyRuler(nlp, name)


@Language.factory("privwatch_org_linker_v2")
def make_org_linker(nlp: Language, name: str, *, fuzzy_cutoff: float):
    return OrgLinker(nlp, name, fuzzy_cutoff)


@Language.factory("privwatch_incident_types_v2")
def make_incident_types(
    nlp: Language,
    name: str,
    *,
    parser: str | None,
    textcat: str | None,
    cue_veto: float,
    textcat_alone: float,
    article_context_types: list[str],
    article_context_sentences: int,
):
    return IncidentTypes(
        nlp, name, parser, textcat, cue_veto, textcat_alone, article_context_types, article_context_sentences
    )


@Language.factory("privwatch_roles_v1")
def make_roles(nlp: Language, name: str):
    return AccusedCompanies(nlp, name)


@Language.factory("privwatch_responses_v1")
def make_responses(nlp: Language, name: str, *, parser: str | None):
    return Responses(nlp, name, parser)


@Language.factory("privwatch_severity_v1")
def make_severity(nlp: Language, name: str, *, parser: str | None):
    return Severity(nlp, name, parser)


@Language.factory("privwatch_article_tags_v1")
def make_article_tags(nlp: Language, name: str, *, keep_tensor: bool, trace: bool):
    return ArticleTags(name, keep_tensor, trace)


# -- the Chinese pipeline (nlp/config.zh.cfg) ----------------------------------------------------------


@registry.tokenizers("privwatch_zh_tokenizer_v1")
def make_zh_tokenizer(*, segmenter: str) -> Callable[[Language], SimplifyingTokenizer]:
    return lambda nlp: SimplifyingTokenizer(nlp.vocab, segmenter=segmenter)


@Language.factory("privwatch_zh_organisations_v1")
def make_zh_organisations(nlp: Language, name: str):
    return ChineseOrganisations(nlp, name)


@Language.factory("privwatch_zh_incidents_v1")
def make_zh_incidents(nlp: Language, name: str, *, article_context_types: list[str]):
    return ChineseIncidents(nlp, name, article_context_types)


@Language.factory("privwatch_zh_roles_v1")
def make_zh_roles(nlp: Language, name: str):
    return ChineseRoles(nlp, name)


@Language.factory("privwatch_zh_responses_v1")
def make_zh_responses(nlp: Language, name: str):
    return ChineseResponses(nlp, name)


@Language.factory("privwatch_zh_severity_v1")
def make_zh_severity(nlp: Language, name: str):
    return ChineseSeverity(nlp, name)

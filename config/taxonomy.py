"""The incident taxonomy: incidents.yaml (types, responses, their cues, traps and severity words) and
incidents.zh.yaml (the Chinese cues keyed by the same ids)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from config.fields import FieldProblem, Model, Slug, check_unique, usable_regex

# -- incidents.yaml ------------------------------------------------------------------------------------

TokenPattern = list[dict[str, Any]]


class Cued(Model):
    id: Slug
    label: str
    description: str
    cues: list[TokenPattern] = Field(min_length=1)
    examples: list[str] = []
    counterexamples: list[str] = []
    needs_privacy_context: bool = True


class Trap(Model):
    id: Slug
    patterns: list[TokenPattern] = Field(min_length=1)
    # what the trap cancels where it matches: "context" and/or type ids (default: all of them)
    cancels: list[str] = []
    examples: list[str] = []


class IsIncident(Model):
    description: str


CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class Currency(Model):
    usd: float = Field(gt=0)  # one unit in US dollars, roughly: for ordering fines, not for accounts
    names: list[str] = []  # signs and words that name it besides its code ("$", "US$", "dollars", "美元")


class SeverityCues(Model):
    """Words (lowercase or lemmas) that tie an amount to a fine, a count to a breach (nlp/severity.py)."""

    fine_cues: list[str] = []
    payment_verbs: list[str] = []  # a fine only when the payment is owed ("agreed to pay")
    payment_obligations: list[str] = []  # what makes it owed
    not_fines: list[str] = []  # an amount that is one of these is no fine ("$80 billion in revenue")
    affected_cues: list[str] = []
    affected_nouns: list[str] = []  # what a count of affected counts (users, records)
    currencies: dict[CurrencyCode, Currency] = {}


class TaxonomyFile(Model):
    version: Literal[1] = 1
    is_incident: IsIncident
    privacy_context: list[TokenPattern] = []
    traps: list[Trap] = []
    types: list[Cued] = Field(min_length=1)
    responses: list[Cued] = Field(min_length=1)
    severity: SeverityCues = SeverityCues()

    @model_validator(mode="after")
    def _unique_ids(self) -> TaxonomyFile:
        for i, pattern in enumerate(self.privacy_context):
            _check_pattern(pattern, f"privacy_context[{i}]")
        for group, entries, field_name in (
            ("traps", self.traps, "patterns"),
            ("types", self.types, "cues"),
            ("responses", self.responses, "cues"),
        ):
            for i, entry in enumerate(entries):
                for j, pattern in enumerate(getattr(entry, field_name)):
                    _check_pattern(pattern, f"{group}[{i}].{field_name}[{j}]")
        known = {"context", *(t.id for t in self.types)}
        for i, trap in enumerate(self.traps):
            for j, name in enumerate(trap.cancels):
                if name not in known:
                    raise FieldProblem(f"traps[{i}].cancels[{j}]", f"{name!r} is not context or a type id")
        check_unique((t.id for t in self.traps), "traps", "id")
        check_unique((t.id for t in self.types), "types", "id")
        check_unique((r.id for r in self.responses), "responses", "id")
        return self


# -- incidents.zh.yaml ---------------------------------------------------------------------------------


Regex = Annotated[str, Field(min_length=1), AfterValidator(usable_regex)]


class ChineseCued(Model):
    cues: list[Regex] = Field(min_length=1)
    # wording that looks like this type's cue but shows another type: it cancels this type's cues only
    traps: list[Regex] = []
    examples: list[str] = []
    counterexamples: list[str] = []


class ChineseSeverityCues(Model):
    """Per clause: a fine cue with a fine amount, a breach cue with a count of people or records."""

    fine_cues: Regex | None = None
    fine_amount: Regex | None = None
    affected_cues: Regex | None = None
    affected_amount: Regex | None = None


class ChineseTaxonomyFile(Model):
    """The Chinese wording of incidents.yaml's types and responses (regular expressions per sentence)."""

    version: Literal[1] = 1
    privacy_context: list[Regex] = Field(min_length=1)
    traps: list[Regex] = []
    negations: Regex
    normatives: Regex
    denials: Regex
    obligations: Regex
    orders: Regex
    background: Regex
    # the reason an action was taken: said without privacy context, the action is about another matter
    reasons: Regex
    types: dict[str, ChineseCued]
    responses: dict[str, ChineseCued]
    severity: ChineseSeverityCues = ChineseSeverityCues()


WORD_ATTRIBUTES = ("LOWER", "ORTH", "LEMMA", "NORM", "TEXT")


def _check_pattern(pattern: TokenPattern, path: str) -> None:
    """Every word of a cue is a string: YAML reads an unquoted no, on, off, true or false as a boolean."""
    for k, token in enumerate(pattern):
        for attr in WORD_ATTRIBUTES:
            value = token.get(attr)
            words = value.get("IN", []) + value.get("NOT_IN", []) if isinstance(value, dict) else [value]
            for word in words:
                if value is not None and not isinstance(word, str):
                    raise FieldProblem(
                        f"{path}[{k}].{attr}",
                        f"{word!r} is not a word: quote it (YAML reads no, on, off, true, false as booleans)",
                    )

"""privwatch's configuration: loading a config folder's YAML files, validated by pydantic models.

The models live beside the YAML they describe (sources.py, knowledge.py, taxonomy.py, watchlists.py,
settings.py, on the shared base in fields.py), below every other package: crawlers, nlp, storage and the
privwatch app all read them, and none of those is imported from here.

A bad file raises ConfigError with one line naming the file, the field path and the problem.
Settings precedence: defaults < settings.yaml < environment (PRIVWATCH_<SECTION>_<FIELD>) < CLI flags.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from config.errors import PrivwatchError
from config.fields import FieldProblem
from config.knowledge import CompaniesFile, Regulator, RegulatorsFile
from config.settings import ENV_PREFIX, Settings, deep_merge, env_overrides
from config.sources import Source, SourcesFile
from config.taxonomy import ChineseTaxonomyFile, TaxonomyFile
from config.watchlists import Watchlist, WatchlistsFile

REPO_CONFIG_DIR = Path(__file__).resolve().parent


class ConfigError(PrivwatchError):
    """A configuration file is missing or invalid; the message is one line."""


def default_config_dir() -> Path:
    """PRIVWATCH_CONFIG_DIR when set, else ./config when it exists, else the packaged defaults (the config
    folder shipped with privwatch, the repository's config/ in a checkout)."""
    env = os.environ.get(ENV_PREFIX + "CONFIG_DIR")
    if env:
        return Path(env)
    local = Path("config")
    return local if local.is_dir() else REPO_CONFIG_DIR


# -- loading -------------------------------------------------------------------------------------------


def _path(loc: tuple) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


# libyaml's loader when PyYAML has it: companies.yaml takes 0.4 s to parse in pure Python, every command
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UniqueKeyLoader(SAFE_LOADER):
    """The safe loader, except that a key given twice in one mapping is an error: YAML would keep the last
    one, silently dropping the first (a setting, or a Chinese cue list keyed by incident type)."""

    def construct_mapping(self, node, deep=False):
        first: dict[str, Any] = {}
        for key_node, _value in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            mark = first.setdefault(key_node.value, key_node.start_mark)
            if mark is not key_node.start_mark:
                raise yaml.constructor.ConstructorError(
                    problem=f"duplicate key {key_node.value!r} (first on line {mark.line + 1})",
                    problem_mark=key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


def _read_yaml(path: Path) -> Any:
    if not path.parent.is_dir():
        raise ConfigError(f"config directory not found: {path.parent}")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        return yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: {where}invalid YAML: {problem}") from None


def _field_names(model: type[BaseModel], loc: tuple) -> list[str]:
    """The fields of the model that a validation error's location points into ([] when it is no model)."""
    annotation: Any = model
    for part in (*loc, None):
        while get_origin(annotation) in (Annotated, Union, UnionType):
            options = [a for a in get_args(annotation) if a is not type(None)]
            annotation = options[0] if get_origin(annotation) is Annotated or len(options) == 1 else None
        if part is None:
            break
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part) if isinstance(part, str) else None
            annotation = field.annotation if field else None
        elif get_origin(annotation) in (list, dict):
            annotation = get_args(annotation)[-1]
        else:
            return []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _close(name: Any, candidates) -> str | None:
    """The candidate a typo away from name: one letter missing, added, changed or two swapped (two such
    edits in a name of eight letters or more)."""
    from rapidfuzz.distance import OSA

    name = str(name)
    allowed = 2 if len(name) >= 8 else 1
    scored = sorted((OSA.distance(name, str(c)), str(c)) for c in candidates if str(c) != name)
    return scored[0][1] if scored and scored[0][0] <= allowed else None


def _entry_of(data: Any, loc: tuple) -> str:
    """' (in source 'szdaily')' when the error is inside an entry with an id of a top-level list."""
    if len(loc) < 3 or not isinstance(data, Mapping) or not isinstance(loc[1], int) or loc[2] == "id":
        return ""
    try:
        entry_id = data[loc[0]][loc[1]].get("id")
    except (KeyError, IndexError, TypeError, AttributeError):
        return ""
    group = str(loc[0])
    singular = group[:-3] + "y" if group.endswith("ies") else group.removesuffix("s")
    return f" (in {singular} {entry_id!r})" if isinstance(entry_id, str) else ""


def validate(model: type[BaseModel], data: Any, path: Path | str):
    """Validate data against model; any problem becomes a one-line ConfigError.

    A required field that is missing while an unknown field one typo away is present is one problem (the
    typo), said as such; an unknown field one typo away from a known one says which."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        error, explained = errors[0], 1
        message = error["msg"].removeprefix("Value error, ")
        loc = _path(error["loc"])
        ctx_error = (error.get("ctx") or {}).get("error")
        if isinstance(ctx_error, FieldProblem):
            loc, message = _path((*error["loc"], ctx_error.path)), ctx_error.problem
        parent, name = error["loc"][:-1], error["loc"][-1] if error["loc"] else None
        if error["type"] == "missing":
            unknown = [
                e["loc"][-1] for e in errors if e["type"] == "extra_forbidden" and e["loc"][:-1] == parent
            ]
            typo = _close(name, unknown)
            if typo:
                message, explained = f'{message}; found "{typo}": did you mean "{name}"?', 2
        elif error["type"] == "extra_forbidden":
            known = _close(name, _field_names(model, parent))
            message = "unknown field (a typo?)" + (f'; did you mean "{known}"?' if known else "")
        more = f" (and {exc.error_count() - explained} more)" if exc.error_count() > explained else ""
        raise ConfigError(f"{path}: {loc}: {message}{_entry_of(data, error['loc'])}{more}") from None


class Config:
    """The config files of one config directory, each loaded and validated on first use."""

    def __init__(self, directory: Path | str | None = None, environ: Mapping[str, str] | None = None):
        self.directory = Path(directory) if directory else default_config_dir()
        self.environ = os.environ if environ is None else environ

    def _load(self, filename: str, model: type[BaseModel]):
        path = self.directory / filename
        return validate(model, _read_yaml(path), path)

    @cached_property
    def sources(self) -> list[Source]:
        return self._load("sources.yaml", SourcesFile).sources

    @cached_property
    def knowledge_base(self) -> CompaniesFile:
        return self._load("companies.yaml", CompaniesFile)

    @cached_property
    def regulators(self) -> list[Regulator]:
        path = self.directory / "regulators.yaml"
        regulators = self._load("regulators.yaml", RegulatorsFile).regulators
        companies = {
            name.strip().casefold(): company.id
            for company in self.knowledge_base.companies
            for name, _field in company.names()
        }
        for i, regulator in enumerate(regulators):
            for name, field_name in regulator.names():
                if name.strip().casefold() in companies:
                    owner = companies[name.strip().casefold()]
                    raise ConfigError(
                        f"{path}: regulators[{i}].{field_name}: {name!r} is also a name of company {owner!r}"
                    )
        return regulators

    @cached_property
    def taxonomy(self) -> TaxonomyFile:
        return self._load("incidents.yaml", TaxonomyFile)

    @cached_property
    def taxonomy_zh(self) -> ChineseTaxonomyFile:
        path = self.directory / "incidents.zh.yaml"
        cues = self._load("incidents.zh.yaml", ChineseTaxonomyFile)
        for group, known, entries in (
            ("types", self.taxonomy.types, cues.types),
            ("responses", self.taxonomy.responses, cues.responses),
        ):
            ids = {entry.id for entry in known}
            for name in entries:
                if name not in ids:
                    raise ConfigError(f"{path}: {group}.{name}: not a {group[:-1]} of incidents.yaml")
        return cues

    @cached_property
    def watchlists(self) -> list[Watchlist]:
        """config/watchlists.yaml (none when the file is absent), checked against the knowledge base and
        the taxonomy."""
        path = self.directory / "watchlists.yaml"
        if not path.exists():
            return []
        watchlists = self._load("watchlists.yaml", WatchlistsFile).watchlists
        known = (
            ("companies", "company id", self.knowledge_base.by_id, "companies.yaml"),
            ("types", "incident type", {t.id for t in self.taxonomy.types}, "incidents.yaml"),
        )
        for i, watchlist in enumerate(watchlists):
            for field_name, what, ids, filename in known:
                for j, value in enumerate(getattr(watchlist, field_name)):
                    if value not in ids:
                        close = difflib.get_close_matches(value, list(ids), n=1)
                        hint = f"; did you mean {close[0]!r}?" if close else ""
                        raise ConfigError(
                            f"{path}: watchlists[{i}].{field_name}[{j}]: unknown {what} {value!r} "
                            f"(not in {filename}){hint}"
                        )
        return watchlists

    @cached_property
    def settings(self) -> Settings:
        path = self.directory / "settings.yaml"
        data = _read_yaml(path) if path.exists() else {}
        if data is not None and not isinstance(data, Mapping):
            raise ConfigError(f"{path}: (top level): expected a mapping of settings")
        validate(Settings, data, path)
        merged = deep_merge(data or {}, env_overrides(Settings, self.environ))
        return validate(Settings, merged, f"{path} (with {ENV_PREFIX}* environment variables)")

    def check(self) -> None:
        """Load every file now, so a bad one fails before any work starts."""
        files = "settings sources knowledge_base regulators taxonomy taxonomy_zh watchlists"
        for name in files.split():
            getattr(self, name)

    def digest(self, *filenames: str) -> str:
        """A short digest of some of the folder's files, as they are on disk now."""
        digest = hashlib.sha1()
        for filename in filenames:
            path = self.directory / filename
            digest.update(filename.encode() + b"\0")
            digest.update(path.read_bytes() if path.exists() else b"")
        return digest.hexdigest()[:8]

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(s.id for s in self.sources)
        raise ConfigError(f"{self.directory / 'sources.yaml'}: no source {source_id!r} (known: {known})")

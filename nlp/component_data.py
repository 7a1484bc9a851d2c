"""What a privwatch component keeps in a saved pipeline: the config data its initialize() was given.

nlp/pipeline.py hands each component the knowledge base, regulators and taxonomies through initialize();
`nlp.to_disk` writes that data beside the component (msgpack: floats and key order come back exact) and
`spacy.load` gives it to initialize() again, so a saved pipeline tags without a config folder.
"""

from __future__ import annotations

from pathlib import Path

import srsly
from pydantic import TypeAdapter
from spacy.util import ensure_path

from config.knowledge import Company, Regulator
from config.taxonomy import ChineseTaxonomyFile, TaxonomyFile

# initialize()'s data keywords (nlp/pipeline.py initialize_components) and their types
DATA_TYPES = {
    "companies": TypeAdapter(list[Company]),
    "regulators": TypeAdapter(list[Regulator]),
    "taxonomy": TypeAdapter(TaxonomyFile),
    "taxonomy_zh": TypeAdapter(ChineseTaxonomyFile),
}
DATA_FILE = "data.msgpack"
# what a component derived from another one (the lemmatizer's tables) at construction or initialize()
DERIVED_FILE = "derived.msgpack"


def dump_data(data: dict) -> dict:
    """initialize()'s data as plain values."""
    return {
        key: DATA_TYPES[key].dump_python(list(value) if isinstance(value, tuple) else value, mode="json")
        for key, value in data.items()
    }


def load_data(stored: dict) -> dict:
    """initialize()'s data from plain values (dump_data's)."""
    return {key: DATA_TYPES[key].validate_python(value) for key, value in stored.items()}


class KeepsData:
    """For a component whose initialize() calls self.keep(...) with the data it was given: to_disk writes
    that data and from_disk initializes the component again with it. A component that also keeps what it
    derived from another component (the lemmatizer's words) extends both.
    """

    data: dict

    def keep(self, **data) -> None:
        self.data = data

    def to_disk(self, path: str | Path, *, exclude=()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_msgpack(path / DATA_FILE, dump_data(self.data))

    def from_disk(self, path: str | Path, *, exclude=()):
        self.initialize(**load_data(srsly.read_msgpack(ensure_path(path) / DATA_FILE)))
        return self


def write_derived(path: str | Path, derived) -> None:
    path = ensure_path(path)
    path.mkdir(parents=True, exist_ok=True)
    srsly.write_msgpack(path / DERIVED_FILE, derived)


def read_derived(path: str | Path):
    return srsly.read_msgpack(ensure_path(path) / DERIVED_FILE)

"""Train the sentence classifier (textcat_multilabel) on nlp/corpus/incidents.jsonl.

Corpus lines: {"text", "types": [...], "responses": [...], "trap": id|null}. The labels are the
taxonomy's incident types and responses (config/incidents.yaml); a line with neither is a negative.
Training is spaCy's own loop (`spacy train`) on nlp/textcat.cfg with a fixed seed and a fixed split
(every line whose text hashes into the last 15% is dev). The saved model holds only the classifier.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from config.errors import PrivwatchError
from config.models import Config
from nlp.jsonl import read_jsonl
from nlp.pipeline import NLP_DIR, TEXTCAT_COMPONENT, TEXTCAT_DIR

CORPUS = NLP_DIR / "corpus" / "incidents.jsonl"
TRAIN_CONFIG = NLP_DIR / "textcat.cfg"
DEV_SHARE = 0.15


class CorpusError(PrivwatchError, ValueError):
    """The training corpus does not fit the taxonomy; the message is one line."""


def _check_corpus_line(record: dict) -> None:
    if not isinstance(record["text"], str) or not record["text"].strip():
        raise ValueError("empty text")


def read_corpus(path: Path | str = CORPUS) -> list[dict]:
    return read_jsonl(path, _check_corpus_line, "not a corpus line")


def corpus_labels(config: Config | None = None) -> list[str]:
    taxonomy = (config or Config()).taxonomy
    return [t.id for t in taxonomy.types] + [r.id for r in taxonomy.responses]


def is_dev(text: str, share: float = DEV_SHARE) -> bool:
    digest = int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16)
    return digest / 0xFFFFFFFF >= 1 - share


def to_docbin(records: list[dict], labels: list[str]) -> DocBin:
    tokenizer = spacy.blank("en")
    unknown = {lab for r in records for lab in r.get("types", []) + r.get("responses", [])} - set(labels)
    if unknown:
        raise CorpusError(f"corpus labels not in the taxonomy: {', '.join(sorted(unknown))}")
    docs = DocBin(store_user_data=False)
    for record in records:
        doc = tokenizer.make_doc(record["text"])
        present = set(record.get("types", [])) | set(record.get("responses", []))
        doc.cats = {label: float(label in present) for label in labels}
        docs.add(doc)
    return docs


def train_textcat(
    output_dir: Path | str = TEXTCAT_DIR,
    corpus: Path | str = CORPUS,
    config: Config | None = None,
    max_steps: int | None = None,
    dev_share: float = DEV_SHARE,
) -> dict:
    """Train, keep the best model's classifier in output_dir, return its dev scores."""
    from spacy.cli.train import train as spacy_train

    records = read_corpus(corpus)
    labels = corpus_labels(config)
    dev = [r for r in records if is_dev(r["text"], dev_share)]
    train = [r for r in records if not is_dev(r["text"], dev_share)]
    output_dir = Path(output_dir)
    with tempfile.TemporaryDirectory(prefix="privwatch-train-") as tmp:
        tmp_path = Path(tmp)
        to_docbin(train, labels).to_disk(tmp_path / "train.spacy")
        to_docbin(dev or train[:20], labels).to_disk(tmp_path / "dev.spacy")
        overrides = {
            "paths.train": str(tmp_path / "train.spacy"),
            "paths.dev": str(tmp_path / "dev.spacy"),
        }
        if max_steps is not None:
            overrides["training.max_steps"] = max_steps
        spacy_train(TRAIN_CONFIG, tmp_path / "out", overrides=overrides)
        best = spacy.load(tmp_path / "out" / "model-best")
        scores = {k: v for k, v in best.meta.get("performance", {}).items() if k.startswith("cats")}
        staging = output_dir.with_name(output_dir.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        best.to_disk(staging)
        (staging / "training.json").write_text(
            json.dumps({"train": len(train), "dev": len(dev), "labels": labels, "scores": scores}, indent=2)
            + "\n",
            encoding="utf-8",
        )
    shutil.rmtree(output_dir, ignore_errors=True)
    staging.rename(output_dir)
    return scores


def check_model(model_dir: Path | str = TEXTCAT_DIR) -> list[str]:
    nlp = spacy.load(model_dir)
    return list(nlp.get_pipe(TEXTCAT_COMPONENT).labels)

"""Save the tagging pipelines so that spacy.load reads each on its own (`privwatch nlp package OUT_DIR`).

OUT_DIR/en and OUT_DIR/zh each hold a whole pipeline: the base model's components and the text
classifier inside it, the knowledge base, regulators and taxonomies kept by the privwatch components
(nlp/component_data.py), the budget of characters in its config. spacy.load finds privwatch's factories
through the package's spacy_factories entry points (pyproject.toml), so neither config/ nor an import of
nlp is needed:

    nlp = spacy.load("OUT_DIR/en")
    nlp(text)._.privwatch_tags
"""

from __future__ import annotations

from pathlib import Path

from nlp.pipeline import Pipelines


def save_pipelines(pipelines: Pipelines, output_dir: Path | str) -> dict[str, Path]:
    """Each pipeline in output_dir/<its language>; returns the directories by language."""
    Path(output_dir).mkdir(parents=True, exist_ok=True)
    saved = {}
    for nlp in (pipelines.default, *pipelines.by_language.values()):
        saved[nlp.lang] = Path(output_dir) / nlp.lang
        nlp.to_disk(saved[nlp.lang])
    return saved

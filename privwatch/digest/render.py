"""The digest as plain text and HTML, from the templates in privwatch/templates."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from privwatch.digest.build import LATE_PUBLICATION, SPIKE_BASELINE_DAYS, SPIKE_MIN_ARTICLES, SPIKE_RATIO
from privwatch.digest.model import SUMMARY_STORIES, Digest, Shown
from privwatch.digest.text import count_of, one_line, wrap
from storage.text import visible_text

HTML_BUDGET = 96_000  # bytes of the HTML part: Gmail clips a message whose HTML passes about 102 KB
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def template_environment(autoescape: bool):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(oneline=one_line, count_of=count_of, wrap=wrap)
    return environment


def render(digest: Digest, *, heading: str, zone: ZoneInfo, budget: int = HTML_BUDGET) -> tuple[str, str]:
    """The plain-text and HTML bodies; the HTML has its CSS inlined into style attributes and stays
    within `budget` bytes when showing fewer items in full can make it (the summary always stays)."""
    context = {
        "digest": digest,
        "heading": heading,
        "period_label": digest.period.label(zone),
        "baseline_days": SPIKE_BASELINE_DAYS,
        "spike_ratio": SPIKE_RATIO,
        "spike_min": SPIKE_MIN_ARTICLES,
        "late_days": LATE_PUBLICATION.days,
        "summary_stories": SUMMARY_STORIES,
    }
    shown: Shown | None = Shown()
    while shown is not None:
        text, html = render_templates("digest", {**context, "shown": shown})
        if len(html.encode()) <= budget:
            break
        shown = shown.fewer()
    return text, html


def render_templates(name: str, context: dict) -> tuple[str, str]:
    """The plain-text and HTML bodies from templates/NAME.txt and NAME.html (autoescaped), the HTML with
    its CSS inlined into style attributes."""
    import css_inline

    # rows stored before storage cleaned text may still hold bidi marks and controls
    text = visible_text(template_environment(autoescape=False).get_template(f"{name}.txt").render(context))
    html = visible_text(template_environment(autoescape=True).get_template(f"{name}.html").render(context))
    # mail clients drop <style> blocks; never fetch remote stylesheets while rendering
    html = css_inline.inline(html, load_remote_stylesheets=False)
    return text, html


def subject_line(prefix: str, digest: Digest, zone: ZoneInfo) -> str:
    """E.g. "privwatch digest 2025-03-21: 3 incidents (Ant Group, Tencent)"; always one line."""
    day = digest.period.end.astimezone(zone).date().isoformat()
    if digest.empty:
        return one_line(f"{prefix} {day}: nothing new")
    accused = digest.accused
    names = [one_line(name) for name in accused[:3]]
    more = len(accused) - len(names)
    who = f" ({', '.join(names)}{f' and {more} more' if more else ''})" if names else ""
    spikes = f", {count_of(len(digest.spikes), 'spike')}" if digest.spikes else ""
    return one_line(f"{prefix} {day}: {count_of(digest.incident_count, 'incident')}{who}{spikes}")

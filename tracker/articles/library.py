"""The patient articles: Markdown files in this directory, parsed and rendered once.

Each file is `<slug>.md` (the default language) or `<slug>.<language>.md` (a translation, e.g.
`warning-signs.fr.md`) and starts with a TOML front-matter block between two `+++` lines:

    +++
    slug = "warning-signs"
    title = "Warning signs and what to do"
    weeks_from = 0            # first week since surgery the article is most relevant
    weeks_to = 4              # last such week (inclusive)
    summary = "One sentence for the list of articles."
    sources = ["Laminar clinical reference §3", "NICE NG59"]
    last_reviewed = 2026-11-27
    related_rules = ["RF-*"]  # rule ids (clinical-reference §3, §4); `*` matches any text
    +++

The body is CommonMark (plus tables). Raw HTML in a file is shown as text, never passed
through, so an edit to an article cannot put markup or script into a page. The body may name
the clinic's numbers as `[[emergency_number]]`, `[[surgical_team_phone]]`,
`[[out_of_hours_phone]]` or `[[crisis_line]]`; the page fills them in (see `Article.for_clinic`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt

from tracker.care.phone_numbers import tel_uri

ARTICLES_DIR = Path(__file__).resolve().parent
DEFAULT_LANGUAGE = ""

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RULE_PATTERN = re.compile(r"[A-Z0-9*]+(?:-[A-Z0-9*]+)*")
FILE_NAME = re.compile(r"(?P<slug>[a-z0-9-]+?)(?:\.(?P<language>[a-z]{2,3}(?:-[a-z0-9]+)?))?\.md")
PLACEHOLDER = re.compile(r"\[\[([a-z_]+)\]\]")
# Placeholder (a Clinic field) -> shown as a tap-to-call link?
CLINIC_PLACEHOLDERS = {
    "emergency_number": True,
    "surgical_team_phone": True,
    "out_of_hours_phone": True,
    "crisis_line": False,
}
FIELDS: dict[str, type] = {
    "slug": str,
    "title": str,
    "weeks_from": int,
    "weeks_to": int,
    "summary": str,
    "sources": list,
    "last_reviewed": date,
    "related_rules": list,
}
WORDS_PER_MINUTE = 200

# html=False: raw HTML in the Markdown is escaped, not passed through. markdown-it also refuses
# javascript:, vbscript:, file: and data: links.
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


class ArticleError(ValueError):
    """A malformed article file; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    weeks_from: int
    weeks_to: int
    summary: str
    sources: tuple[str, ...]
    last_reviewed: date
    related_rules: tuple[str, ...]
    body_html: str = field(repr=False)
    word_count: int
    language: str = DEFAULT_LANGUAGE

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / WORDS_PER_MINUTE))

    def relevant_in_week(self, week: int) -> bool:
        return self.weeks_from <= week <= self.weeks_to

    def for_clinic(self, clinic) -> SafeString:
        """The article's HTML with the clinic's numbers filled in (escaped; phones tap-to-call)."""

        def fill(match: re.Match) -> str:
            name = match.group(1)
            value = str(getattr(clinic, name, "") or "") if clinic is not None else ""
            if not value:
                return escape(str(_GENERIC_WORDING[name]))
            uri = tel_uri(value) if CLINIC_PLACEHOLDERS[name] else ""
            if uri:
                return f'<a href="{escape(uri)}">{escape(value)}</a>'
            return escape(value)

        # The body was escaped by markdown-it; only known placeholders are replaced, each with
        # escaped clinic text.
        return mark_safe(PLACEHOLDER.sub(fill, self.body_html))  # noqa: S308


_GENERIC_WORDING = {
    "emergency_number": _("the emergency number"),
    "surgical_team_phone": _("your surgical team"),
    "out_of_hours_phone": _("the out-of-hours number"),
    "crisis_line": _("a crisis line"),
}


def parse_article(text: str, file_name: str) -> Article:
    """One article from the text of its file; ArticleError (naming the file) if malformed."""
    match = FILE_NAME.fullmatch(file_name)
    if match is None:
        raise ArticleError(f"{file_name}: file names are <slug>.md or <slug>.<language>.md")
    text = text.replace("\r\n", "\n")
    if not text.startswith("+++\n"):
        raise ArticleError(f"{file_name}: the file must start with a '+++' line (front matter)")
    end = text.find("\n+++\n", 3)
    if end == -1:
        raise ArticleError(f"{file_name}: the front matter has no closing '+++' line")
    try:
        meta = tomllib.loads(text[4 : end + 1])
    except tomllib.TOMLDecodeError as error:
        raise ArticleError(f"{file_name}: the front matter is not valid TOML ({error})") from None
    _check_meta(meta, file_name, match["slug"])
    body = text[end + 5 :].strip()
    if not body:
        raise ArticleError(f"{file_name}: the article has no text after the front matter")
    unknown = set(PLACEHOLDER.findall(body)) - set(CLINIC_PLACEHOLDERS)
    if unknown:
        raise ArticleError(f"{file_name}: unknown placeholder(s) {', '.join(sorted(unknown))}")
    return Article(
        slug=meta["slug"],
        title=meta["title"].strip(),
        weeks_from=meta["weeks_from"],
        weeks_to=meta["weeks_to"],
        summary=meta["summary"].strip(),
        sources=tuple(meta["sources"]),
        last_reviewed=meta["last_reviewed"],
        related_rules=tuple(meta["related_rules"]),
        body_html=_markdown.render(body),
        word_count=len(re.findall(r"[\w’'-]+", PLACEHOLDER.sub("number", body))),
        language=match["language"] or DEFAULT_LANGUAGE,
    )


def _check_meta(meta: dict[str, Any], file_name: str, file_slug: str) -> None:
    missing = [name for name in FIELDS if name not in meta]
    if missing:
        raise ArticleError(f"{file_name}: front matter lacks {', '.join(missing)}")
    unknown = sorted(set(meta) - set(FIELDS))
    if unknown:
        raise ArticleError(f"{file_name}: unknown front-matter key(s) {', '.join(unknown)}")
    for name, kind in FIELDS.items():
        # Exact types for numbers and dates: a bool is an int and a datetime is a date.
        value = meta[name]
        if not (type(value) is kind if kind in (int, date) else isinstance(value, kind)):
            raise ArticleError(f"{file_name}: '{name}' must be a {_kind_name(kind)}")
    for name in ("title", "summary"):
        if not meta[name].strip():
            raise ArticleError(f"{file_name}: '{name}' is empty")
    if not SLUG.fullmatch(meta["slug"]):
        raise ArticleError(f"{file_name}: slug must be lower-case words joined by hyphens")
    if meta["slug"] != file_slug:
        raise ArticleError(f"{file_name}: slug '{meta['slug']}' does not match the file name")
    if not 0 <= meta["weeks_from"] <= meta["weeks_to"]:
        raise ArticleError(f"{file_name}: need 0 <= weeks_from <= weeks_to")
    sources = meta["sources"]
    if not sources or not all(isinstance(s, str) and s.strip() for s in sources):
        raise ArticleError(f"{file_name}: 'sources' must list at least one source")
    rules = meta["related_rules"]
    if not all(isinstance(r, str) and RULE_PATTERN.fullmatch(r) for r in rules):
        raise ArticleError(
            f"{file_name}: 'related_rules' must list rule ids such as 'P5-…', 'RF-*'"
        )


def _kind_name(kind: type) -> str:
    return {str: "string", int: "whole number", list: "list", date: "date (YYYY-MM-DD)"}[kind]


def load_articles(directory: Path) -> dict[str, dict[str, Article]]:
    """Every article file in `directory`: {slug: {language: article}}."""
    articles: dict[str, dict[str, Article]] = {}
    for path in sorted(directory.glob("*.md")):
        article = parse_article(path.read_text(encoding="utf-8"), path.name)
        articles.setdefault(article.slug, {})[article.language] = article
    for slug, versions in articles.items():
        if DEFAULT_LANGUAGE not in versions:
            raise ArticleError(f"{slug}: a translation exists but {slug}.md does not")
    return articles


@cache
def library() -> dict[str, dict[str, Article]]:
    """The shipped articles, parsed and rendered once per process."""
    return load_articles(ARTICLES_DIR)


def _pick(versions: dict[str, Article], language: str | None) -> Article:
    if language:
        language = language.lower()
        for candidate in (language, language.split("-")[0]):
            if candidate in versions:
                return versions[candidate]
    return versions[DEFAULT_LANGUAGE]


def get_article(slug: str, language: str | None = None) -> Article | None:
    """The article `slug` in `language` (or the default language), None if there is none."""
    versions = library().get(slug)
    return None if versions is None else _pick(versions, language)


def all_articles(language: str | None = None) -> list[Article]:
    """Every article, in the order a patient meets them (by weeks_from, then title)."""
    chosen = [_pick(versions, language) for versions in library().values()]
    return sorted(chosen, key=lambda a: (a.weeks_from, a.weeks_to, a.title))

"""Which article to offer when: by week since surgery, and behind each flag rule.

The rule-to-article links are the `related_rules` of the articles' front matter, so a clinic
that edits an article also sees which flags point to it.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from tracker.articles.library import (
    DEFAULT_LANGUAGE,
    Article,
    all_articles,
    get_article,
    library,
)

# Slugs other features link to by name.
WARNING_SIGNS_ARTICLE = "warning-signs"
PACING_ARTICLE = "exercise-and-pacing"
PERSISTENT_PAIN_ARTICLE = "persistent-pain"
MOOD_ARTICLE = "mood-and-recovery"


def articles_for_week(week: int, language: str | None = None) -> list[Article]:
    """The articles most relevant in `week` since surgery, the most time-specific first.

    An article is relevant from its `weeks_from` to its `weeks_to` week, both included. The
    narrower its window, the more it is about this moment, so it comes first (then the one
    that became relevant most recently). Before surgery (a negative week) week 0 applies.
    """
    week = max(week, 0)
    relevant = [a for a in all_articles(language) if a.relevant_in_week(week)]
    return sorted(relevant, key=lambda a: (a.weeks_to - a.weeks_from, -a.weeks_from, a.title))


def article_for_rule(rule_id: str) -> str | None:
    """The slug of the article behind flag rule `rule_id`, or None.

    An article naming the rule id exactly wins over one matching it by pattern (`RF-*`); among
    patterns the most specific (longest) wins.
    """
    best: tuple[int, str] | None = None
    for slug, versions in library().items():
        for pattern in versions[DEFAULT_LANGUAGE].related_rules:
            if pattern == rule_id:
                return slug
            if fnmatchcase(rule_id, pattern):
                specificity = len(pattern.replace("*", ""))
                if best is None or specificity > best[0]:
                    best = (specificity, slug)
    return None if best is None else best[1]


def articles_for_rules(rule_ids, language: str | None = None) -> list[Article]:
    """The articles behind `rule_ids`, each once, in the order of the rules."""
    slugs = dict.fromkeys(slug for slug in map(article_for_rule, rule_ids) if slug)
    return [article for slug in slugs if (article := get_article(slug, language)) is not None]

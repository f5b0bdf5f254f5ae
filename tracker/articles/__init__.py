"""Patient education: short articles by recovery phase (issue: "Learn").

The articles are the Markdown files in this directory (format in `library`); `selection`
says which to offer in a given week and behind a given flag rule.
"""

from tracker.articles.library import (
    Article,
    ArticleError,
    all_articles,
    get_article,
    library,
    load_articles,
    parse_article,
)
from tracker.articles.selection import (
    MOOD_ARTICLE,
    PACING_ARTICLE,
    PERSISTENT_PAIN_ARTICLE,
    WARNING_SIGNS_ARTICLE,
    article_for_rule,
    articles_for_rules,
    articles_for_week,
)

__all__ = [
    "MOOD_ARTICLE",
    "PACING_ARTICLE",
    "PERSISTENT_PAIN_ARTICLE",
    "WARNING_SIGNS_ARTICLE",
    "Article",
    "ArticleError",
    "all_articles",
    "article_for_rule",
    "articles_for_rules",
    "articles_for_week",
    "get_article",
    "library",
    "load_articles",
    "parse_article",
]

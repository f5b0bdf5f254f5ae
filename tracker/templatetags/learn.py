"""Template helpers for patient education and the numbers a patient may call."""

import logging

from django import template
from django.utils.translation import get_language

from tracker.articles import ArticleError, articles_for_rules
from tracker.care.phone_numbers import tel_uri

logger = logging.getLogger(__name__)
register = template.Library()


@register.simple_tag
def articles_for_findings(findings):
    """The articles behind the rules of `findings` (each once), e.g. on a safety screen.

    A broken article file must never stop a safety screen from showing (clinical-reference
    §0.1): it is logged and the screen shows no reading link.
    """
    try:
        return articles_for_rules((f.rule_id for f in findings), get_language())
    except ArticleError:
        logger.exception("Article files are malformed; no reading links on this screen")
        return []


@register.filter
def tel(number) -> str:
    """`number` as a tel: link target (see tracker.care.phone_numbers.tel_uri)."""
    return tel_uri(str(number or ""))

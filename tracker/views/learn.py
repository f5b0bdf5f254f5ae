"""The patient's "Learn" pages: short articles, the ones for this week first."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from tracker.articles import all_articles, articles_for_week, get_article
from tracker.auth.access import get_patient
from tracker.auth.roles import patient_required


@patient_required
@require_GET
def learn(request):
    patient = get_patient(request, "learn")
    week = patient.weeks_since_surgery()
    this_week = articles_for_week(week, get_language())
    later = [a for a in all_articles(get_language()) if a not in this_week]
    return render(
        request,
        "tracker/learn/index.html",
        {"week": week, "this_week": this_week, "other_articles": later},
    )


@patient_required
@require_GET
def learn_article(request, slug: str):
    patient = get_patient(request, "learn")
    article = get_article(slug, get_language())
    if article is None:
        raise Http404
    return render(
        request,
        "tracker/learn/article.html",
        {"article": article, "body": article.for_clinic(patient.clinic)},
    )

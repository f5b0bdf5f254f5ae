"""The daily pages on a slow phone: a Lighthouse-style check computed in Chromium itself.

Lighthouse's mobile profile slows the processor 4 times; its performance score is led by
total blocking time (TBT): for each task on the main thread, the part beyond 50 ms, summed.
A score of 90 or more needs TBT of about 200 ms or less. Here the processor is slowed the
same way (Emulation.setCPUThrottlingRate), long tasks are collected with a PerformanceObserver
from the start of navigation until the page has loaded and stayed quiet for a while, and
summed as Lighthouse sums them. Largest contentful paint is measured too, from the first byte
of the response: how long the phone takes to show the page, without the test server's time
(which on a busy machine says more about the machine than about the page).

On a busy machine a page can be slowed by others' work: each page is measured up to three
times and the best run is kept (a page over budget is over it every time).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.e2e.browser import sign_in_as
from tests.trends.test_trends_pages import add_days

pytestmark = pytest.mark.django_db(transaction=True)

CPU_SLOWDOWN = 4  # Lighthouse's mobile profile
TBT_BUDGET_MS = 200  # about the most a performance score of 90 allows
LCP_BUDGET_MS = 2500  # Lighthouse's "good" largest contentful paint
QUIET_MS = 1500  # the page counts as settled after this long without a long task
ATTEMPTS = 3

OBSERVE = """
(() => {
  const perf = (window.__perf = { longTasks: [], lcp: null });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) perf.longTasks.push([entry.startTime, entry.duration]);
  }).observe({ type: "longtask", buffered: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) perf.lcp = entry.startTime;
  }).observe({ type: "largest-contentful-paint", buffered: true });
})();
"""

SETTLED = """
(quiet) => {
  if (document.readyState !== "complete") return false;
  const tasks = window.__perf.longTasks;
  const last = tasks.length ? Math.max(...tasks.map(([start, duration]) => start + duration)) : 0;
  const loaded = performance.getEntriesByType("navigation")[0].loadEventEnd;
  return performance.now() - Math.max(last, loaded) >= quiet;
}
"""


@dataclass(frozen=True)
class Measurement:
    total_blocking_ms: float
    largest_contentful_paint_ms: float | None  # from the start of navigation
    first_byte_ms: float  # when the response began to arrive
    long_tasks: list[tuple[float, float]]

    @property
    def paint_after_first_byte_ms(self) -> float | None:
        if self.largest_contentful_paint_ms is None:
            return None
        return self.largest_contentful_paint_ms - self.first_byte_ms

    @property
    def within_budget(self) -> bool:
        paint = self.paint_after_first_byte_ms
        return (
            self.total_blocking_ms <= TBT_BUDGET_MS and paint is not None and paint <= LCP_BUDGET_MS
        )


def total_blocking_time(long_tasks: list[tuple[float, float]]) -> float:
    """Lighthouse's sum: each task's time beyond 50 ms."""
    return sum(max(duration - 50, 0) for _start, duration in long_tasks)


def measure(page: Page, path: str) -> Measurement:
    """Load `path` on a 4 times slower processor and measure it once settled."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    try:
        page.goto(path, wait_until="load", timeout=60_000)
        page.wait_for_function(SETTLED, arg=QUIET_MS, timeout=60_000, polling=250)
        perf = page.evaluate("window.__perf")
        first_byte = page.evaluate("performance.getEntriesByType('navigation')[0].responseStart")
    finally:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
        cdp.detach()
    tasks = [(start, duration) for start, duration in perf["longTasks"]]
    return Measurement(total_blocking_time(tasks), perf["lcp"], first_byte, tasks)


def best_of(page: Page, path: str) -> Measurement:
    runs = []
    for _ in range(ATTEMPTS):
        runs.append(measure(page, path))
        if runs[-1].within_budget:
            break
    return min(runs, key=lambda run: (not run.within_budget, run.total_blocking_ms))


@pytest.fixture
def measured_page(phone, browser_errors):
    from tests.e2e.browser import watch

    phone.add_init_script(OBSERVE)
    page = phone.new_page()
    watch(page, browser_errors)
    return page


def test_total_blocking_time_sums_the_part_of_each_task_beyond_50_ms():
    assert total_blocking_time([(0, 40), (100, 50), (200, 120), (400, 251)]) == 70 + 201


def test_the_checkin_page_stays_responsive_on_a_slow_phone(
    measured_page, live_server, patient, browser_errors
):
    add_days(patient, 30)
    sign_in_as(measured_page.context, live_server, patient.user)
    result = best_of(measured_page, reverse("checkin"))
    assert result.total_blocking_ms <= TBT_BUDGET_MS, result
    assert result.paint_after_first_byte_ms is not None
    assert result.paint_after_first_byte_ms <= LCP_BUDGET_MS, result
    assert browser_errors == []


def test_a_year_of_trends_stays_responsive_on_a_slow_phone(
    measured_page, live_server, patient, browser_errors
):
    add_days(patient, 365)
    sign_in_as(measured_page.context, live_server, patient.user)
    for path in (reverse("trends"), reverse("trends") + "?range=all"):
        result = best_of(measured_page, path)
        assert result.total_blocking_ms <= TBT_BUDGET_MS, (path, result)
        assert result.paint_after_first_byte_ms is not None
        assert result.paint_after_first_byte_ms <= LCP_BUDGET_MS, (path, result)
    # Every chart is on the page, drawn.
    expect(measured_page.locator(".chart-drawn svg")).to_have_count(5)
    assert browser_errors == []


def test_the_measurement_sees_plotly_when_it_runs(measured_page, live_server, patient):
    """The check above would notice plotly: drawing a chart with it makes long tasks here (a
    browser without long-task timing would pass every page silently)."""
    add_days(patient, 365)
    sign_in_as(measured_page.context, live_server, patient.user)
    measured_page.goto(reverse("trends"))
    cdp = measured_page.context.new_cdp_session(measured_page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    before = measured_page.evaluate("window.__perf.longTasks.length")
    measured_page.locator("[data-explore]").first.tap()
    expect(measured_page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
    measured_page.wait_for_function(
        "(count) => window.__perf.longTasks.length > count", arg=before, timeout=30_000
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    tasks = measured_page.evaluate("window.__perf.longTasks")[before:]
    assert total_blocking_time([tuple(task) for task in tasks]) > 0

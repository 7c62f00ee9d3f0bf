"""Readiness scoring rules, on their own."""

import pytest

from bot.services.readiness import score

CLAUSES = {"q1": "4.1", "q2": "4.2", "q3": "7.1.5", "q4": "7.5", "q5": "10.2"}


def test_yes_partly_no_and_not_sure():
    result = score({"q1": "yes", "q2": "partly", "q3": "no", "q4": "unsure", "q5": "yes"}, CLAUSES)
    assert result.by_clause == {"4": 0.75, "7": 0.0, "10": 1.0}
    assert result.overall == pytest.approx((1 + 0.5 + 0 + 0 + 1) / 5)


def test_not_applicable_is_left_out_where_it_is_allowed_and_listed_as_an_exclusion():
    answers = {"q1": "yes", "q2": "na", "q3": "na", "q4": "na", "q5": "no"}
    result = score(answers, CLAUSES, frozenset({"q2", "q3", "q4"}))
    assert result.by_clause == {"4": 1.0, "7": None, "10": 0.0}
    assert result.overall == 0.5
    assert [e.question_id for e in result.exclusions] == ["q2", "q3", "q4"]


def test_not_applicable_where_iso_9001_does_not_allow_it_is_a_gap():
    """Answers stored by an earlier version may say N/A anywhere: they must not flatter."""
    answers = {"q1": "yes", "q2": "na", "q3": "na", "q4": "na", "q5": "no"}
    result = score(answers, CLAUSES, frozenset({"q3"}))
    assert result.by_clause == {"4": 0.5, "7": 0.0, "10": 0.0}
    assert [g.question_id for g in result.gaps] == ["q2", "q4", "q5"]
    assert [e.question_id for e in result.exclusions] == ["q3"]


def test_a_chapter_answered_not_applicable_throughout_never_reads_100_percent():
    chapter = {"q3": "7.1.5", "q4": "7.5"}
    allowed = score({"q3": "na", "q4": "na"}, chapter, frozenset({"q3", "q4"}))
    assert allowed.overall is None and allowed.by_clause == {"7": None}  # nothing to score
    refused = score({"q3": "na", "q4": "na"}, chapter)  # N/A not allowed: both are gaps
    assert refused.overall == 0.0 and len(refused.gaps) == 2


def test_not_sure_counts_as_a_gap():
    sure = score({"q1": "no"}, {"q1": "4.1"})
    unsure = score({"q1": "unsure"}, {"q1": "4.1"})
    assert sure.overall == unsure.overall == 0.0
    assert [g.answer for g in unsure.gaps] == ["unsure"]


def test_gaps_worst_first_then_in_clause_order():
    result = score(
        {"q1": "partly", "q2": "no", "q3": "yes", "q4": "unsure", "q5": "partly"}, CLAUSES
    )
    assert [g.question_id for g in result.gaps] == ["q2", "q4", "q1", "q5"]


def test_nothing_applicable_has_no_score():
    result = score({"q1": "na"}, {"q1": "4.1"}, frozenset({"q1"}))
    assert result.overall is None and result.by_clause == {"4": None} and result.gaps == []


def test_unanswered_questions_do_not_count():
    assert score({"q1": "yes"}, CLAUSES).overall == 1.0

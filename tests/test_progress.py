"""Where a person is in the quiz: question numbers across pages, time left, and the page a
quiz is taken up on again. Pure functions of the bank, tested on the small test bank (whose
times are worked out by hand below) and on the shipped one."""

from __future__ import annotations

import pytest

from quiz.bank import DEFAULT_PATH
from quiz.bank import SECONDS_PER_PROFILE
from quiz.bank import SECONDS_PER_SCENARIO
from quiz.bank import SECONDS_PER_STATEMENT
from quiz.bank import load_bank
from quiz.bank import question_seconds
from quiz.views import resume_step

SHIPPED = load_bank(DEFAULT_PATH)

# tests/data/mini.yaml, page by page: four profile questions; four statements; three
# statements, a situation and an attention check.
MINI_PAGE_SECONDS = [
    4 * SECONDS_PER_PROFILE,
    4 * SECONDS_PER_STATEMENT,
    4 * SECONDS_PER_STATEMENT + SECONDS_PER_SCENARIO,
]


def test_mini_bank_pages_are_what_the_hand_worked_times_assume(bank):
    assert [len(page.questions) for page in bank.pages] == [4, 4, 5]
    assert [sum(question_seconds(bank.questions[q]) for q in page.questions) for page in bank.pages] == (
        MINI_PAGE_SECONDS
    )


def test_first_numbers_run_on_from_page_to_page(bank):
    # 4 questions on page 1, 4 on page 2: page 2 starts at 5, page 3 at 9.
    assert [bank.first_number(step) for step in (1, 2, 3)] == [1, 5, 9]


@pytest.mark.parametrize("source", ["mini", "shipped"])
def test_every_question_gets_one_number_with_no_gap(bank, source):
    bank = bank if source == "mini" else SHIPPED
    numbers = [
        bank.first_number(step) + index
        for step, page in enumerate(bank.pages, start=1)
        for index in range(len(page.questions))
    ]
    assert numbers == list(range(1, len(bank.questions) + 1))


def test_minutes_left_counts_this_page_and_every_later_one(bank):
    # 32 + 36 + 76 s = 144 s, about 2 minutes; then 112 s, about 2; then 76 s, about 1.
    assert [bank.minutes_left(step) for step in (1, 2, 3)] == [2, 2, 1]
    for step in (1, 2, 3):
        assert bank.minutes_left(step) == max(1, round(sum(MINI_PAGE_SECONDS[step - 1 :]) / 60))


def test_minutes_left_is_never_zero(bank):
    one_statement = bank.model_copy(update={"pages": [bank.pages[1].model_copy(update={"questions": ["care_listen"]})]})
    assert question_seconds(bank.questions["care_listen"]) < 30
    assert one_statement.minutes_left(1) == 1


@pytest.mark.parametrize("source", ["mini", "shipped"])
def test_the_landing_estimate_is_the_first_pages_time_left(bank, source):
    bank = bank if source == "mini" else SHIPPED
    assert bank.estimated_minutes() == bank.minutes_left(1)
    by_kind = sum(question_seconds(q) for q in bank.questions.values())
    assert bank.estimated_minutes() == max(1, round(by_kind / 60))


def test_time_left_on_the_shipped_bank_goes_down_page_by_page():
    left = [SHIPPED.minutes_left(step) for step in range(1, len(SHIPPED.pages) + 1)]
    assert left == sorted(left, reverse=True) and len(set(left)) == len(left), left
    assert left[0] == SHIPPED.estimated_minutes() and left[-1] >= 1


def test_resume_step_is_the_first_page_with_a_required_answer_missing(bank):
    def answered(*steps):
        return {qid: "x" for step in steps for qid in bank.pages[step - 1].questions}

    assert resume_step(bank, {}) == 1
    assert resume_step(bank, answered(1)) == 2
    assert resume_step(bank, answered(1, 3)) == 2  # a page skipped comes first
    assert resume_step(bank, answered(2, 3)) == 1


def test_resume_step_ignores_optional_questions_and_ends_on_the_last_page(bank):
    everything = {qid: "x" for page in bank.pages for qid in page.questions}
    optional = [qid for qid, q in bank.questions.items() if getattr(q, "required", True) is False]
    assert optional and all(qid in bank.pages[0].questions for qid in optional)
    without_optional = {qid: v for qid, v in everything.items() if qid not in optional}
    # Page 1 lacks only optional answers, so it is done; with nothing else missing the quiz is
    # taken up on its last page, to be sent.
    assert resume_step(bank, without_optional) == len(bank.pages)
    assert resume_step(bank, everything) == len(bank.pages)

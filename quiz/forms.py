"""WTForms: one form class per quiz page, built from the bank, and the counselor forms."""

from __future__ import annotations

import unicodedata

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import ValidationError
from wtforms import widgets
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import StopValidation

from .bank import Bank
from .bank import Page
from .scoring import option_order

REQUIRED_MESSAGE = "Choose an answer to this question."


def field_name(question_id: str) -> str:
    # Prefixed, so a question id like `data` or `errors` cannot shadow the form's own attributes.
    return f"q_{question_id}"


class CheckboxesField(SelectMultipleField):
    """Tick boxes for a question that allows several answers."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _exclusive(question):
    """`None of these` and the like cannot be ticked together with another option."""
    labels = {o.key: o.text for o in question.options}

    def check(form, field):
        picked = set(field.data or [])
        for key in question.exclusive:
            if key in picked and len(picked) > 1:
                raise ValidationError(f"\u201c{labels[key]}\u201d cannot be combined with other answers.")

    return check


def _skip_if_unanswered(form, field):
    """For optional questions: nothing chosen is fine, but anything chosen is still checked.

    Unlike wtforms' Optional(), which stops every check when only the first value is blank.
    """
    if not any(field.raw_data or []):
        field.errors[:] = []
        raise StopValidation()


def choices(bank: Bank, question, option_seed: int | None = None) -> dict[str, str]:
    """A question's options, value -> label: the agree scale for statements, else its own, in the
    order this attempt shows them."""
    if getattr(question, "kind", None) in ("likert", "attention"):
        return {str(value): label for value, label in enumerate(bank.scale, start=1)}
    return {option.key: option.text for option in option_order(question, option_seed)}


def _field(bank: Bank, question):
    needed = [InputRequired(REQUIRED_MESSAGE)] if getattr(question, "required", True) else [_skip_if_unanswered]
    options = choices(bank, question)
    if getattr(question, "multiple", False):
        return CheckboxesField(question.text, choices=options, validators=[*needed, _exclusive(question)])
    return RadioField(question.text, choices=options, validators=needed)


class PageForm(FlaskForm):
    class Meta:
        # CSRFProtect checks the token of every POST before any view runs, and the page template
        # writes the token itself, so the form would only sign a token nobody reads.
        csrf = False


def page_form(bank: Bank, page: Page) -> type[FlaskForm]:
    fields = {field_name(qid): _field(bank, bank.questions[qid]) for qid in page.questions}
    return type("PageForm", (PageForm,), fields)


def page_forms(bank: Bank) -> list[type[FlaskForm]]:
    """Form classes for every page, built once per bank."""
    return [page_form(bank, page) for page in bank.pages]


def saved_answers(form: FlaskForm, page: Page) -> dict:
    """The page's answers that passed validation and are offered choices; call after validate().

    The choice check is repeated here as a backstop: nothing outside the bank is ever stored.
    """
    answers = {}
    for qid in page.questions:
        field = form[field_name(qid)]
        if not field.data or field.errors:
            continue
        if isinstance(field.data, list):
            picked = [value for value in field.data if value in field.choices]
            if picked:
                answers[qid] = picked
        elif field.data in field.choices:
            answers[qid] = field.data
    return answers


def clean_text(value) -> str | None:
    """Drop control characters (PostgreSQL refuses NUL) and surrounding space; keep line breaks."""
    if not isinstance(value, str):
        return None
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


class GroupForm(FlaskForm):
    name = StringField(
        "Group name",
        filters=[clean_text],
        # DataRequired, not InputRequired: it looks at the cleaned text, so "\x00 " is no name.
        validators=[DataRequired("Give the group a name your clients will recognise."), Length(max=120)],
        description="Clients see this name, e.g. \u201cSpring cohort, Northside Adult Ed\u201d.",
    )
    note = TextAreaField(
        "Note for your clients (optional)",
        filters=[clean_text],
        validators=[Optional(), Length(max=1000)],
        description="Shown to clients before they start, e.g. when you will talk the results through.",
    )


class ConfirmForm(FlaskForm):
    """Only the CSRF token: for delete, close and reopen buttons."""


class JoinForm(FlaskForm):
    client_name = StringField(
        "Your name or initials for your counselor (optional)",
        filters=[clean_text],
        validators=[Optional(), Length(max=40)],
        description="Only your counselor sees it. Leave it empty to stay anonymous.",
    )

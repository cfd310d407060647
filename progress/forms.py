from datetime import time, timedelta

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lectures.models import TextLinesField

from .models import PaceMode, PlanChoice
from .notes import NOTE_MAX_LENGTH, parse_time


class NoteTextField(forms.CharField):
    """A text area's value with its lines ended in LF before it is measured: browsers send CR LF."""

    def to_python(self, value):
        return TextLinesField().to_python(super().to_python(value))


class NoteForm(forms.Form):
    time = forms.CharField(label=_("Time in the video"), required=False, max_length=12, strip=True)
    body = NoteTextField(label=_("Note"), error_messages={"required": _("Write something in the note first.")})

    def clean_time(self):
        return parse_time(self.cleaned_data["time"])

    def clean_body(self):
        body = self.cleaned_data["body"]
        if len(body) > NOTE_MAX_LENGTH:
            raise forms.ValidationError(
                _("A note can be at most %(limit)s characters long; this one has %(length)s. Split it in two."),
                code="max_length",
                params={
                    "limit": number_format(NOTE_MAX_LENGTH, force_grouping=True),
                    "length": number_format(len(body), force_grouping=True),
                },
            )
        return body


WEEKDAY_CHOICES = [
    (0, pgettext_lazy("weekday", "Monday")),
    (1, pgettext_lazy("weekday", "Tuesday")),
    (2, pgettext_lazy("weekday", "Wednesday")),
    (3, pgettext_lazy("weekday", "Thursday")),
    (4, pgettext_lazy("weekday", "Friday")),
    (5, pgettext_lazy("weekday", "Saturday")),
    (6, pgettext_lazy("weekday", "Sunday")),
]
# A plan more than two years long is a typo in the year.
LONGEST_PLAN = timedelta(days=2 * 366)


class PlanForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Pace"),
        choices=PaceMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a pace: a day to finish by, or a number of lectures a week.")},
    )
    finish_on = forms.DateField(
        label=_("Finish by"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    per_week = forms.IntegerField(label=_("Lectures a week"), required=False, min_value=1, max_value=14)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Study days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one day of the week to study on.")},
    )
    study_time = forms.TimeField(
        label=_("Start at"),
        initial=time(19, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Each study day's first lecture starts then, in your time zone."),
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["finish_on"].widget.attrs.update(min=today.isoformat(), max=(today + LONGEST_PLAN).isoformat())

    def clean(self):
        cleaned = super().clean()
        mode = cleaned.get("mode")
        if mode == PaceMode.FINISH_BY:
            finish_on = cleaned.get("finish_on")
            if finish_on is None and "finish_on" not in self.errors:
                self.add_error("finish_on", _("Choose the day to finish by."))
            elif finish_on is not None and finish_on < self.today:
                self.add_error("finish_on", _("That day has passed: choose today or a day ahead."))
            elif finish_on is not None and finish_on > self.today + LONGEST_PLAN:
                self.add_error("finish_on", _("Choose a day within the next two years."))
            cleaned["per_week"] = None
        elif mode == PaceMode.WEEKLY:
            if cleaned.get("per_week") is None and "per_week" not in self.errors:
                self.add_error("per_week", _("Say how many lectures a week, from 1 to 14."))
            cleaned["finish_on"] = None
        return cleaned

    def choice(self):
        data = self.cleaned_data
        return PlanChoice(
            mode=data["mode"],
            weekdays=frozenset(data["weekdays"]),
            study_time=data["study_time"].replace(second=0, microsecond=0),
            finish_on=data["finish_on"],
            per_week=data["per_week"],
        )

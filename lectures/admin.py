import copy

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Course, Lecture, Part, ReadingItem


class PartInline(admin.TabularInline):
    model = Part
    extra = 0
    fields = ["position", "slug", "kind", "title", "title_en"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "title_en", "slug", "position", "updated_at"]
    search_fields = ["title", "title_en", "slug"]
    prepopulated_fields = {"slug": ["title_en"]}
    inlines = [PartInline]


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ["title", "title_en", "kind", "course", "position"]
    list_filter = ["course", "kind"]
    list_select_related = ["course"]
    search_fields = ["title", "title_en", "slug"]


class ReadingItemInline(admin.StackedInline):
    # Stacked, a few fields to a line: a table of six wide inputs overflows the lecture form's column.
    model = ReadingItem
    extra = 1
    fields = [("kind", "required", "position"), "title", "url", "note", "note_en"]


class LectureRowForm(forms.ModelForm):
    """A lecture's row in the list, where its status is edited alone.

    A form validates the constraints on its own fields only, and a row has no
    title: check the lecture as it would be saved, so that publishing a lecture
    without a title is an error on its status, not the database's refusal.
    """

    def clean(self):
        cleaned = super().clean()
        if "status" in self.changed_data and "status" in cleaned:
            lecture = copy.copy(self.instance)
            lecture.status = cleaned["status"]
            try:
                lecture.validate_constraints()
            except ValidationError as error:
                raise ValidationError({"status": error.messages}) from None
        return cleaned


@admin.register(Lecture)
class LectureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "lecturer", "confirmed", "date", "length"]
    list_display_links = ["__str__"]
    list_editable = ["status"]
    actions = ["publish", "announce", "back_to_draft"]
    list_filter = ["part__course", "part", "status", "lecturer_confirmed"]
    ordering = ["part__course", "part__position", "number"]
    list_select_related = ["part"]
    search_fields = ["title", "title_en", "slug", "summary", "summary_en", "topics", "topics_en", "lecturer"]
    prepopulated_fields = {"slug": ["title_en"]}
    date_hierarchy = "date"
    save_on_top = True
    inlines = [ReadingItemInline]
    fieldsets = [
        (None, {"fields": ["part", "number", "slug", "status", "published_at"]}),
        (_("Content"), {"fields": ["title", "title_en", "summary", "summary_en", "topics", "topics_en"]}),
        (_("Lecture facts"), {"fields": ["lecturer", "lecturer_confirmed", "date", "duration"]}),
        (_("Materials"), {"fields": ["video_url", "slides_url"]}),
    ]

    # Short column titles, so each lecture's title fits on one line.
    @admin.display(boolean=True, description=_("confirmed"), ordering="lecturer_confirmed")
    def confirmed(self, lecture):
        return lecture.lecturer_confirmed

    @admin.display(description=_("length"), ordering="duration")
    def length(self, lecture):
        return lecture.duration

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=LectureRowForm, **kwargs)

    def _set_status(self, request, lectures, status, done):
        """Give each lecture the status through its own validation and save, so the constraints speak per lecture."""
        changed = 0
        for lecture in lectures.select_related("part"):
            if lecture.status == status:
                continue
            lecture.status = status
            try:
                lecture.full_clean()
            except ValidationError as error:
                self.message_user(
                    request,
                    _("%(lecture)s is unchanged: %(problems)s")
                    % {"lecture": lecture, "problems": " ".join(error.messages)},
                    messages.ERROR,
                )
                continue
            lecture.save(update_fields=["status", "updated_at"])
            # As the admin logs its own changes: the field's name untranslated, translated when shown.
            with translation.override(None):
                label = str(capfirst(Lecture._meta.get_field("status").verbose_name))
            self.log_change(request, lecture, [{"changed": {"fields": [label]}}])
            changed += 1
        if changed:
            self.message_user(request, done(changed) % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Publish the selected lectures"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(
            request,
            queryset,
            Lecture.Status.PUBLISHED,
            lambda count: ngettext("Published %(count)d lecture.", "Published %(count)d lectures.", count),
        )

    @admin.action(description=_("Announce the selected lectures"), permissions=["change"])
    def announce(self, request, queryset):
        self._set_status(
            request,
            queryset,
            Lecture.Status.ANNOUNCED,
            lambda count: ngettext("Announced %(count)d lecture.", "Announced %(count)d lectures.", count),
        )

    @admin.action(description=_("Put the selected lectures back to draft"), permissions=["change"])
    def back_to_draft(self, request, queryset):
        self._set_status(
            request,
            queryset,
            Lecture.Status.DRAFT,
            lambda count: ngettext(
                "Put %(count)d lecture back to draft.", "Put %(count)d lectures back to draft.", count
            ),
        )

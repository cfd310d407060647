import copy
import hashlib

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .course_file import CourseFileError, export_course, import_course, parse, preview_course, show
from .models import Course, Lecture, Part, ReadingItem

# An import creates and changes courses, parts, lectures and reading lists, and replaces reading lists.
IMPORT_PERMISSIONS = [
    f"lectures.{action}_{model}"
    for model in ["course", "part", "lecture", "readingitem"]
    for action in ["add", "change"]
] + ["lectures.delete_readingitem"]
# A course file is a few dozen kilobytes; this leaves room. The form's second step sends the file's
# text back as multipart form data, where it counts its UTF-8 size, at most twice that when each line
# break is sent as CR LF: within Django's limit on a request's data (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB).
COURSE_FILE_LIMIT = 1024 * 1024


class CourseFileForm(forms.Form):
    file = forms.FileField(
        label=_("Course file"),
        help_text=_("A YAML course file, such as one downloaded here or lectures/data/ml-system-design-2022.yaml."),
    )
    overwrite = forms.BooleanField(
        label=_("Take the file's values even over changes made in the admin"),
        required=False,
        help_text=_("Without it, a field changed both in the admin and in the file keeps the admin's value."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > COURSE_FILE_LIMIT:
            raise ValidationError(_("A course file is at most 1 MB."))
        try:
            return upload.name, upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text.")) from None


class ApplyCourseFileForm(forms.Form):
    """The previewed file, sent back to be imported, with the digest of the preview it must still match."""

    name = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(widget=forms.HiddenInput, strip=False)
    overwrite = forms.BooleanField(widget=forms.HiddenInput, required=False)
    digest = forms.CharField(widget=forms.HiddenInput)


def _digest(report):
    """A fingerprint of what an import does, to tell whether the course changed since its preview."""
    return hashlib.sha256(repr(report).encode()).hexdigest()


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

    def changelist_view(self, request, extra_context=None):
        extra_context = {"can_import_course_file": request.user.has_perms(IMPORT_PERMISSIONS)} | (extra_context or {})
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="lectures_course_import"),
            path(
                "<path:object_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name="lectures_course_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request, object_id):
        """The course as a course file, the admin's edits included."""
        course = self.get_object(request, unquote(object_id))
        if course is None:
            raise Http404
        if not self.has_view_permission(request, course):
            raise PermissionDenied
        response = HttpResponse(export_course(course), content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{course.slug}.yaml"'
        return response

    def import_view(self, request):
        """Upload a course file, see what it would change, then apply it: the import_course command's checks."""
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        upload = CourseFileForm(request.POST or None, request.FILES or None)
        context = {"form": upload}
        if request.method == "POST" and "digest" in request.POST:
            applied = ApplyCourseFileForm(request.POST)
            if not applied.is_valid():
                return redirect("admin:lectures_course_import")
            name, text, overwrite = (applied.cleaned_data[key] for key in ["name", "text", "overwrite"])
            context = {"form": CourseFileForm()} | self._apply(
                request, name, text, overwrite, applied.cleaned_data["digest"]
            )
            if "done" in context:
                return redirect("admin:lectures_course_change", context["done"].pk)
        elif request.method == "POST" and upload.is_valid():
            name, text = upload.cleaned_data["file"]
            context |= self._preview(name, text, upload.cleaned_data["overwrite"])
        return TemplateResponse(
            request,
            "admin/lectures/course/import.html",
            self.admin_site.each_context(request)
            | {"title": _("Import a course file"), "opts": self.model._meta}
            | context,
        )

    def _preview(self, name, text, overwrite):
        """What importing the text would change, or the problems that stop it; nothing is written."""
        # Browsers send a form's line breaks as CR LF; the command reads files with any line ends.
        text = text.replace("\r\n", "\n")
        try:
            report = preview_course(parse(text, source=name), overwrite=overwrite)
        except CourseFileError as error:
            return {"problems": error.problems, "name": name}
        return {
            "name": name,
            "report": report,
            "changes": {
                kind: [(change.name, change.field, show(change.admin), show(change.file)) for change in changes]
                for kind, changes in [
                    ("applied", report.applied),
                    ("conflicts", report.conflicts),
                    ("replaced", report.replaced),
                ]
            },
            "apply": ApplyCourseFileForm(
                initial={"name": name, "text": text, "overwrite": overwrite, "digest": _digest(report)}
            ),
        }

    def _apply(self, request, name, text, overwrite, digest):
        """Import the text if it still does what its preview showed; otherwise show what it would do now."""
        text = text.replace("\r\n", "\n")
        try:
            data = parse(text, source=name)
            with transaction.atomic():
                report = import_course(data, overwrite=overwrite)
                moved = _digest(report) != digest
                if moved:
                    transaction.set_rollback(True)
                else:
                    course = Course.objects.get(slug=data.course["slug"])
                    message = self._log_import(request, course, name, report)
        except CourseFileError as error:
            return {"problems": error.problems, "name": name}
        if moved:
            return self._preview(name, text, overwrite) | {"moved": True}
        self.message_user(request, message, messages.SUCCESS)
        return {"done": course}

    def _log_import(self, request, course, name, report):
        message = _(
            "Imported the course file %(name)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(kept)d with the admin's edits kept, %(conflicts)d in conflict, %(replaced)d of the admin's edits "
            "replaced."
        ) % {
            "name": name,
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": report.unchanged,
            "kept": len(report.kept),
            "conflicts": len(report.conflicts),
            "replaced": len(report.replaced),
        }
        if f"course {course.slug}" in report.created:
            self.log_addition(request, course, message)
        else:
            self.log_change(request, course, message)
        return message


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

    def changelist_view(self, request, extra_context=None):
        # The course file beside the lectures: upload one, or download each course as one.
        extra_context = {
            "can_import_course_file": request.user.has_perms(IMPORT_PERMISSIONS),
            "courses": Course.objects.only("slug") if request.user.has_perm("lectures.view_course") else [],
        } | (extra_context or {})
        return super().changelist_view(request, extra_context)

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

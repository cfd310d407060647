from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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


@admin.register(Lecture)
class LectureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "lecturer", "confirmed", "date", "length"]
    list_display_links = ["__str__"]
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

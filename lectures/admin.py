from django.contrib import admin

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


class ReadingItemInline(admin.TabularInline):
    model = ReadingItem
    extra = 1
    fields = ["position", "kind", "title", "url", "required", "note"]


@admin.register(Lecture)
class LectureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "part", "status", "lecturer", "date", "duration", "published_at"]
    list_display_links = ["__str__"]
    list_filter = ["part__course", "part", "status", "lecturer_confirmed"]
    list_select_related = ["part"]
    search_fields = ["title", "title_en", "slug", "summary", "summary_en", "topics", "lecturer"]
    prepopulated_fields = {"slug": ["title_en"]}
    date_hierarchy = "date"
    save_on_top = True
    inlines = [ReadingItemInline]
    fieldsets = [
        (None, {"fields": ["part", "number", "slug", "status", "published_at"]}),
        ("Content", {"fields": ["title", "title_en", "summary", "summary_en", "topics"]}),
        ("Lecture facts", {"fields": ["lecturer", "lecturer_confirmed", "date", "duration"]}),
        ("Materials", {"fields": ["video_url", "slides_url"]}),
    ]

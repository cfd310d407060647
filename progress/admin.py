from django.contrib import admin

from .models import LastVisit, LectureProgress, ProgressEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Learners write these rows; staff read them.

    Staff change a learner's progress from the learner's timeline, which logs the change
    as an event: a row deleted here would leave the log saying otherwise.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LectureProgress)
class LectureProgressAdmin(ReadOnlyAdmin):
    list_display = ["user", "lecture", "watched_at", "source"]
    list_filter = ["source", "lecture__part", "lecture"]
    list_select_related = ["user", "lecture__part"]
    search_fields = ["user__email", "lecture__slug", "lecture__title"]
    date_hierarchy = "watched_at"
    show_full_result_count = False


@admin.register(ProgressEvent)
class ProgressEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "action", "lecture", "source"]
    list_filter = ["action", "source", "lecture"]
    list_select_related = ["user", "lecture__part"]
    search_fields = ["user__email", "lecture__slug"]
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(LastVisit)
class LastVisitAdmin(ReadOnlyAdmin):
    list_display = ["user", "lecture", "visited_at"]
    list_select_related = ["user", "lecture__part"]
    search_fields = ["user__email"]
    show_full_result_count = False

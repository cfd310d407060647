from django.urls import path

from . import staff, views

app_name = "progress"

urlpatterns = [
    path("", views.home, name="home"),
    path("lectures/<slug:slug>/", views.lecture, name="lecture"),
    path("lectures/<slug:slug>/watched/", views.watched, name="watched"),
    path("lectures/<slug:slug>/reading/<int:pk>/read/", views.read, name="read"),
    path("lectures/<slug:slug>/notes/", views.note_add, name="note_add"),
    path("lectures/<slug:slug>/notes/<int:pk>/", views.note, name="note"),
    path("lectures/<slug:slug>/notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("lectures/<slug:slug>/notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
    path("progress/", views.index, name="index"),
    path("progress/export.json", views.export_json, name="export_json"),
    path("progress/export.csv", views.export_csv, name="export_csv"),
    # Staff pages, in the admin's frame: portal/urls.py includes these before the admin's own.
    path("admin/analytics/", staff.analytics, name="analytics"),
    path("admin/analytics/count/", staff.count_now, name="count"),
    path("admin/analytics/export.csv", staff.export_learners, name="export_learners"),
    path("admin/analytics/lectures.csv", staff.export_lectures, name="export_lectures"),
    path("admin/analytics/learners/<int:user_id>/", staff.timeline, name="timeline"),
    path("admin/analytics/learners/<int:user_id>/watched/", staff.change_watched, name="staff_watched"),
    path("admin/analytics/learners/<int:user_id>/verification/", staff.resend_verification, name="resend_verification"),
    path("admin/analytics/learners/<int:user_id>/deactivate/", staff.deactivate, name="deactivate"),
    path("progress/notes.md", views.export_notes, name="export_notes"),
    path("progress/plan/", views.plan, name="plan"),
    path("progress/plan/replan/", views.replan, name="replan"),
    path("progress/plan/delete/", views.plan_delete, name="plan_delete"),
    path("progress/plan/feed/", views.plan_feed, name="plan_feed"),
    # The private calendar feed: the token is the only key, as calendar apps send no cookies.
    # Tokens are URL-safe base64, which the slug converter matches exactly.
    path("calendar/<slug:token>.ics", views.calendar, name="calendar"),
]

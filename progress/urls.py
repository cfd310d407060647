from django.urls import path

from . import staff, views

app_name = "progress"

urlpatterns = [
    path("", views.home, name="home"),
    path("lectures/<slug:slug>/", views.lecture, name="lecture"),
    path("lectures/<slug:slug>/watched/", views.watched, name="watched"),
    path("progress/", views.index, name="index"),
    path("progress/export.json", views.export_json, name="export_json"),
    path("progress/export.csv", views.export_csv, name="export_csv"),
    # Staff pages, in the admin's frame: portal/urls.py includes these before the admin's own.
    path("admin/analytics/", staff.analytics, name="analytics"),
    path("admin/analytics/export.csv", staff.export_learners, name="export_learners"),
    path("admin/analytics/lectures.csv", staff.export_lectures, name="export_lectures"),
    path("admin/analytics/learners/<int:user_id>/", staff.timeline, name="timeline"),
    path("admin/analytics/learners/<int:user_id>/watched/", staff.change_watched, name="staff_watched"),
    path("admin/analytics/learners/<int:user_id>/verification/", staff.resend_verification, name="resend_verification"),
    path("admin/analytics/learners/<int:user_id>/deactivate/", staff.deactivate, name="deactivate"),
]

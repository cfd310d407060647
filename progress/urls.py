from django.urls import path

from . import views

app_name = "progress"

urlpatterns = [
    path("", views.home, name="home"),
    path("lectures/<slug:slug>/", views.lecture, name="lecture"),
    path("lectures/<slug:slug>/watched/", views.watched, name="watched"),
    path("progress/", views.index, name="index"),
    path("progress/export.json", views.export_json, name="export_json"),
    path("progress/export.csv", views.export_csv, name="export_csv"),
]

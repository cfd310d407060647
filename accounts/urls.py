from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("theme/", views.set_theme, name="theme"),
    path("language/", views.set_language, name="language"),
    path("accounts/data/", views.data, name="data"),
    path("accounts/data/export.json", views.export, name="export"),
    path("accounts/delete/", views.delete, name="delete"),
    path("accounts/sessions/<int:pk>/end/", views.end_session, name="end_session"),
]

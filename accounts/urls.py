from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("theme/", views.set_theme, name="theme"),
    path("language/", views.set_language, name="language"),
]

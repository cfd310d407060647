from django.urls import path

from . import views

app_name = "lectures"

urlpatterns = [
    path("", views.home, name="home"),
    path("lectures/<slug:slug>/", views.lecture_detail, name="detail"),
]

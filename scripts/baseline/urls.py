from django.urls import path

from . import views

urlpatterns = [path("", views.rows), path("healthz", views.healthz)]

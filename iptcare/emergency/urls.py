"""Emergency access pages, under /emergency/."""

from django.urls import path

from iptcare.emergency import views

urlpatterns = [
    path("", views.break_glass, name="break_glass"),
    path("<int:grant_id>/", views.access_detail, name="emergency_access_detail"),
    path("<int:grant_id>/end/", views.access_end, name="emergency_access_end"),
]

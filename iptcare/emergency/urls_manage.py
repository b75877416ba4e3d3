"""The admins' emergency access pages, under /manage/emergency-access/."""

from django.urls import path

from iptcare.emergency import views

urlpatterns = [
    path("", views.review_queue_page, name="emergency_queue"),
    path("<int:grant_id>/review/", views.review, name="emergency_review"),
    path("settings/", views.emergency_settings, name="emergency_settings"),
]

"""Episode pages, under /clients/<client_id>/episodes/. Each area keeps its own URL module."""

from django.urls import include, path

from iptcare.ipt import views

urlpatterns = [
    path("", views.episode_list, name="episode_list"),
    path("new/", views.episode_open, name="episode_open"),
    path("<int:episode_id>/", views.episode_detail, name="episode_detail"),
    path("<int:episode_id>/edit/", views.episode_edit, name="episode_edit"),
    path("<int:episode_id>/status/", views.episode_status, name="episode_status"),
    path("<int:episode_id>/termination/", views.episode_termination, name="episode_termination"),
    path("<int:episode_id>/assessment/", views.assessment_edit, name="assessment_edit"),
    path("<int:episode_id>/assessment/substances/", views.substance_history_edit, name="substance_history_edit"),
    path("<int:episode_id>/inventory/", include("iptcare.ipt.urls_inventory")),
    path("<int:episode_id>/", include("iptcare.ipt.urls_timeline")),
    path("<int:episode_id>/", include("iptcare.ipt.urls_formulation")),
    path("<int:episode_id>/", include("iptcare.therapy.urls")),
    path("<int:episode_id>/", include("iptcare.plans.urls")),
]

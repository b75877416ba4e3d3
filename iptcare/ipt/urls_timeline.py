"""URLs of the episode's timeline and triggers, under /clients/<client_id>/episodes/<episode_id>/."""

from django.urls import path

from iptcare.ipt import views_timeline as views

urlpatterns = [
    path("timeline/", views.timeline, name="timeline"),
    path("timeline/new/", views.timeline_event_new, name="timeline_event_new"),
    path("timeline/<int:event_id>/", views.timeline_event_edit, name="timeline_event_edit"),
    path("triggers/", views.triggers, name="triggers"),
    path("triggers/new/", views.trigger_new, name="trigger_new"),
    path("triggers/<int:trigger_id>/", views.trigger_edit, name="trigger_edit"),
    path("triggers/<int:trigger_id>/active/", views.trigger_set_active, name="trigger_set_active"),
]

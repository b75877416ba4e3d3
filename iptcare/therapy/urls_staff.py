"""The therapist's own session pages (day and week view, calendar feed) and the note settings, under /sessions/."""

from django.urls import path

from iptcare.therapy import views_staff as views

urlpatterns = [
    path("", views.sessions_day, name="sessions_day"),
    path("week/", views.sessions_week, name="sessions_week"),
    path("calendar/", views.calendar_feed_settings, name="calendar_feed_settings"),
    # No sign-in: the secret token is the key (see iptcare/therapy/feeds.py).
    path("feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("settings/", views.note_settings, name="note_settings"),
]

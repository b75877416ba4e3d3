"""The therapist's own session pages (day and week view, calendar feed), under /sessions/."""

urlpatterns: list = []

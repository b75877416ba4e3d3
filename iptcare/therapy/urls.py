"""Pages of one episode's therapy, under /clients/<client_id>/episodes/<episode_id>/."""

from django.urls import path

from iptcare.therapy import views, views_notes

SESSION = "sessions/<int:session_id>/"

urlpatterns = [
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_add, name="session_add"),
    path("sessions/generate/", views.sessions_generate, name="sessions_generate"),
    path(SESSION + "reschedule/", views.session_reschedule, name="session_reschedule"),
    path(SESSION + "cancel/", views.session_cancel, name="session_cancel"),
    path(SESSION + "attended/", views.session_attended, name="session_attended"),
    path(SESSION + "missed/", views.session_missed, name="session_missed"),
    path(SESSION + "undo-attendance/", views.session_undo_attendance, name="session_undo_attendance"),
    path(SESSION + "note/", views_notes.session_note, name="session_note"),
    path(SESSION + "note/autosave/", views_notes.session_note_autosave, name="session_note_autosave"),
    path(SESSION + "note/sign/", views_notes.session_note_sign, name="session_note_sign"),
    path(SESSION + "note/cosign/", views_notes.session_note_cosign, name="session_note_cosign"),
    path(SESSION + "note/amend/", views_notes.session_note_amend, name="session_note_amend"),
    path(SESSION + "note/incidents/", views_notes.incident_add, name="incident_add"),
    path(SESSION + "note/incidents/<int:incident_id>/remove/", views_notes.incident_remove, name="incident_remove"),
]

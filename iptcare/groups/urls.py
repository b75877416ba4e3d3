"""Group IPT pages, under /groups/."""

from django.urls import path

from iptcare.groups import views, views_sessions

GROUP = "<int:group_id>/"
MEMBER = GROUP + "members/<int:member_id>/"
SESSION = GROUP + "sessions/<int:session_id>/"

urlpatterns = [
    path("", views.group_list, name="group_list"),
    path("new/", views.group_create, name="group_create"),
    path(GROUP, views.group_detail, name="group_detail"),
    path(GROUP + "edit/", views.group_edit, name="group_edit"),
    path(GROUP + "members/add/", views.member_add, name="group_member_add"),
    path(MEMBER, views.member_detail, name="group_member"),
    path(MEMBER + "leave/", views.member_leave, name="group_member_leave"),
    path(MEMBER + "pre-group/", views.member_pregroup, name="group_member_pregroup"),
    path(MEMBER + "pre-group/<int:session_id>/held/", views.member_pregroup_held, name="group_member_pregroup_held"),
    path(GROUP + "sessions/generate/", views_sessions.sessions_generate, name="group_sessions_generate"),
    path(SESSION, views_sessions.session_attendance, name="group_session_attendance"),
    path(SESSION + "reschedule/", views_sessions.session_reschedule, name="group_session_reschedule"),
    path(SESSION + "cancel/", views_sessions.session_cancel, name="group_session_cancel"),
    path(SESSION + "note/", views_sessions.group_note, name="group_note"),
    path(SESSION + "note/sign/", views_sessions.group_note_sign, name="group_note_sign"),
    path(SESSION + "note/members/<int:member_id>/", views_sessions.member_note, name="group_member_note"),
]

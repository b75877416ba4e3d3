"""The portal's addresses: the client's pages under /me/, the staff page of a client's portal access, and the
admin's portal settings under /manage/portal/. Included once from iptcare/urls.py."""

from django.urls import path

from iptcare.portal import staff_views, views

urlpatterns = [
    # The client's pages.
    path("me/", views.today, name="portal_today"),
    path("me/login/", views.sign_in, name="portal_login"),
    path("me/logout/", views.sign_out, name="portal_logout"),
    path("me/start/", views.start, name="portal_start"),
    path("me/start/set-up/", views.set_up, name="portal_set_up"),
    path("me/start/<str:token>/", views.invitation, name="portal_invitation"),
    path("me/check-in/", views.check_in, name="portal_check_in"),
    path("me/questionnaires/<str:code>/", views.questionnaire, name="portal_questionnaire"),
    path("me/homework/", views.homework, name="portal_homework"),
    path("me/plan/", views.plan, name="portal_plan"),
    path("me/contacts/", views.contacts, name="portal_contacts"),
    path("me/progress/", views.progress, name="portal_progress"),
    path("me/settings/", views.preferences, name="portal_preferences"),
    path("me/settings/password/", views.change_password, name="portal_change_password"),
    path("me/settings/sign-out-everywhere/", views.sign_out_everywhere, name="portal_sign_out_everywhere"),
    # Staff: a client's portal access, from the client's record.
    path("clients/<int:client_id>/portal/", staff_views.portal_access, name="portal_access"),
    path("clients/<int:client_id>/portal/code/", staff_views.portal_access_code, name="portal_access_code"),
    path("clients/<int:client_id>/portal/turn-off/", staff_views.portal_access_turn_off, name="portal_access_turn_off"),
    # The organization admin's portal settings.
    path("manage/portal/", staff_views.portal_settings, name="portal_admin_settings"),
]

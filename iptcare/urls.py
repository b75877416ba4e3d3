"""URL map. Stable addresses: /accounts/login/, /clients/, /api/v1/ (see PRODUCT.md §3)."""

from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import include, path, re_path

from iptcare.accounts import staff_views
from iptcare.accounts import views as account_views
from iptcare.api import api, api_not_found
from iptcare.audit import views as audit_views
from iptcare.audit import views_report as audit_report_views
from iptcare.clients import views as client_views
from iptcare.consent import views as consent_views
from iptcare.ipt import views_history as history_views
from iptcare.measures import views as measure_views
from iptcare.substance_use import views as use_views

urlpatterns = [
    path("", lambda request: redirect("caseload"), name="home"),
    # Signing in and the account itself.
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/2fa/setup/", account_views.totp_setup, name="totp_setup"),
    path("accounts/2fa/verify/", account_views.totp_verify, name="totp_verify"),
    path("accounts/2fa/remove/", account_views.totp_remove, name="totp_remove"),
    path("accounts/settings/", account_views.account_settings, name="account_settings"),
    path("accounts/confirm-password/", account_views.confirm_password, name="confirm_password"),
    path("accounts/tokens/<int:token_id>/revoke/", account_views.token_revoke, name="token_revoke"),
    path("accounts/password/change/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path(
        "accounts/invite/<uidb64>/<token>/",
        account_views.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
    path(
        "accounts/invite/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/invitation_done.html"),
        name="invitation_done",
    ),
    # Clients.
    path("clients/", client_views.caseload, name="caseload"),
    path("clients/new/", client_views.client_create, name="client_create"),
    path("clients/<int:client_id>/", client_views.client_detail, name="client_detail"),
    path("clients/<int:client_id>/edit/", client_views.client_edit, name="client_edit"),
    path("clients/<int:client_id>/care-team/", client_views.care_team, name="care_team"),
    path(
        "clients/<int:client_id>/care-team/<int:member_id>/",
        client_views.care_team_member_edit,
        name="care_team_member_edit",
    ),
    path(
        "clients/<int:client_id>/care-team/<int:member_id>/remove/",
        client_views.care_team_member_remove,
        name="care_team_member_remove",
    ),
    path("clients/<int:client_id>/people/new/", client_views.person_create, name="person_create"),
    path("clients/<int:client_id>/people/<int:person_id>/", client_views.person_edit, name="person_edit"),
    # Measures and alerts.
    path("clients/<int:client_id>/measures/", measure_views.measures_overview, name="measures_overview"),
    path("clients/<int:client_id>/measures/give/<str:code>/", measure_views.give_instrument, name="give_instrument"),
    path(
        "clients/<int:client_id>/measures/<int:administration_id>/",
        measure_views.administration_detail,
        name="administration_detail",
    ),
    path("clients/<int:client_id>/alerts/<int:alert_id>/", measure_views.alert_close, name="alert_close"),
    path(
        "clients/<int:client_id>/measures/<int:administration_id>/baseline/",
        measure_views.choose_baseline,
        name="choose_baseline",
    ),
    path("clients/<int:client_id>/measures/links/", measure_views.link_create, name="link_create"),
    path(
        "clients/<int:client_id>/measures/links/<int:link_id>/withdraw/",
        measure_views.link_withdraw,
        name="link_withdraw",
    ),
    path("clients/<int:client_id>/measures/schedules/", measure_views.schedule_change, name="schedule_change"),
    # A client's questionnaire link: no sign-in; the token is the key.
    path("r/<str:token>/", measure_views.self_report, name="self_report"),
    # Substance use.
    path("clients/<int:client_id>/use/", use_views.use_overview, name="use_overview"),
    path("clients/<int:client_id>/use/calendar/", use_views.use_calendar_edit, name="use_calendar"),
    path("clients/<int:client_id>/use/check-ins/", use_views.check_in_list, name="check_in_list"),
    path("clients/<int:client_id>/use/check-ins/record/", use_views.check_in_edit, name="check_in_edit"),
    path("clients/<int:client_id>/history/", history_views.client_history, name="client_history"),
    path("clients/<int:client_id>/consents/", include("iptcare.consent.urls")),
    path("clients/<int:client_id>/release/", include("iptcare.release.urls")),
    path("clients/<int:client_id>/counselling-notes/", include("iptcare.counselling.urls")),
    path("emergency/", include("iptcare.emergency.urls")),
    # IPT episodes.
    path("clients/<int:client_id>/episodes/", include("iptcare.ipt.urls")),
    # The therapist's own sessions.
    path("sessions/", include("iptcare.therapy.urls_staff")),
    # Group IPT.
    path("groups/", include("iptcare.groups.urls")),
    # The organization admin's pages.
    path("manage/staff/", staff_views.staff_list, name="staff_list"),
    path("manage/staff/invite/", staff_views.staff_invite, name="staff_invite"),
    path("manage/staff/<int:user_id>/", staff_views.staff_edit, name="staff_edit"),
    path("manage/staff/<int:user_id>/deactivate/", staff_views.staff_deactivate, name="staff_deactivate"),
    path("manage/staff/<int:user_id>/reactivate/", staff_views.staff_reactivate, name="staff_reactivate"),
    path(
        "manage/staff/<int:user_id>/resend-invitation/",
        staff_views.staff_resend_invitation,
        name="staff_resend_invitation",
    ),
    path("manage/security/", staff_views.security_settings, name="security_settings"),
    path("manage/sites/", staff_views.site_list, name="site_list"),
    path("manage/sites/new/", staff_views.site_edit, name="site_create"),
    path("manage/sites/<int:site_id>/", staff_views.site_edit, name="site_edit"),
    path("manage/audit/", audit_views.audit_list, name="audit_list"),
    path("manage/measures/", measure_views.measure_settings, name="measure_settings"),
    path("manage/disclosures/", consent_views.disclosure_settings, name="disclosure_settings"),
    path("manage/emergency-access/", include("iptcare.emergency.urls_manage")),
    path("manage/audit/export.csv", audit_views.audit_csv, name="audit_csv"),
    path("manage/audit/client-report/", audit_report_views.client_access_report, name="client_access_report"),
    # The client portal (/me/), a client's portal access and the portal settings (/manage/portal/).
    path("", include("iptcare.portal.urls")),
    # The JSON API and its schema at /api/v1/openapi.json.
    path("api/v1/", api.urls),
    # Anything else under /api/ answers in the API's JSON error shape, not with an HTML page.
    re_path(r"^api/", api_not_found),
]

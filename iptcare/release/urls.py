"""Release of a client's records, under /clients/<client_id>/release/."""

from django.urls import path

from iptcare.release import views

urlpatterns = [
    path("", views.release_records, name="release_records"),
    path("tokens/", views.token_create, name="recipient_token_create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="recipient_token_revoke"),
]

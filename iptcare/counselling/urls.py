"""A client's SUD counselling notes, under /clients/<client_id>/counselling-notes/."""

from django.urls import path

from iptcare.counselling import views

NOTE = "<int:note_id>/"

urlpatterns = [
    path("", views.note_list, name="counselling_note_list"),
    path("new/", views.note_create, name="counselling_note_create"),
    path(NOTE, views.note_detail, name="counselling_note_detail"),
    path(NOTE + "edit/", views.note_edit, name="counselling_note_edit"),
    path(NOTE + "sign/", views.note_sign, name="counselling_note_sign"),
    path(NOTE + "addenda/new/", views.note_addendum, name="counselling_note_addendum"),
    path(NOTE + "discard/", views.note_discard, name="counselling_note_discard"),
]

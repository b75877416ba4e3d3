"""URLs of the episode's inventory pages, under clients/<client_id>/episodes/<episode_id>/inventory/."""

from django.urls import path

from iptcare.ipt import views_inventory

urlpatterns = [
    path("", views_inventory.inventory, name="inventory"),
    path("new/", views_inventory.inventory_entry_new, name="inventory_entry_new"),
    path("<int:entry_id>/", views_inventory.inventory_entry_edit, name="inventory_entry_edit"),
    path("circle/", views_inventory.closeness_circle, name="closeness_circle"),
]

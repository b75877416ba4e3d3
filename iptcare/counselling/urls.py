"""A client's SUD counselling notes, under /clients/<client_id>/counselling-notes/."""

urlpatterns: list = []

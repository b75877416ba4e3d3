"""A client's consents and accounting of disclosures, under /clients/<client_id>/consents/."""

urlpatterns: list = []

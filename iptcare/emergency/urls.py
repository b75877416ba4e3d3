"""Emergency access pages."""

urlpatterns: list = []

"""Group IPT pages, under /groups/."""

urlpatterns: list = []

"""Pages of one episode's therapy, under /clients/<client_id>/episodes/<episode_id>/."""

urlpatterns: list = []

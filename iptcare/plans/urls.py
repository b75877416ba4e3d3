"""Pages of one episode's plans, under /clients/<client_id>/episodes/<episode_id>/."""

urlpatterns: list = []

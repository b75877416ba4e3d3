from django.apps import AppConfig


class ReleaseConfig(AppConfig):
    name = "iptcare.release"
    label = "release"
    verbose_name = "Release of records to outside recipients"

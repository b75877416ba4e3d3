from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "iptcare.groups"
    label = "ipt_groups"
    verbose_name = "Group IPT"

"""Group IPT (WHO Group IPT manual, 2016): a group, its members and their pre-group meetings, eight sessions."""

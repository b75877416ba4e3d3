"""/api/v1/groups/."""

from ninja import Router

router = Router(tags=["groups"])

"""/api/v1/consent/."""

from ninja import Router

router = Router(tags=["consent"])

"""/api/v1/therapy/."""

from ninja import Router

router = Router(tags=["therapy"])

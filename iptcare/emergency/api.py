"""Emergency access API, under /api/v1/emergency/."""

from ninja import Router

router = Router(tags=["emergency access"])

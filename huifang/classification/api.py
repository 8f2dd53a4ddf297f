"""API endpoints of the classification app (registered in huifang.api.api)."""

from ninja import Router

router = Router(tags=["classification"])

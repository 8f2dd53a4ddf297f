"""API endpoints of the reviews app (registered in huifang.api.api)."""

from ninja import Router

router = Router(tags=["reviews"])

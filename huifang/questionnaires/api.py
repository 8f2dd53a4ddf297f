"""API endpoints of the questionnaires app (registered in huifang.api.api)."""

from ninja import Router

router = Router(tags=["questionnaires"])

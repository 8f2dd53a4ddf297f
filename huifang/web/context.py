from django.conf import settings
from django.http import HttpRequest


def huifang(request: HttpRequest) -> dict:
    return {"institution_name": settings.HUIFANG_INSTITUTION_NAME}

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "huifang.followups"
    label = "followups"
    verbose_name = _("回访")

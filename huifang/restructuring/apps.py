from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RestructuringConfig(AppConfig):
    name = "huifang.restructuring"
    label = "restructuring"
    verbose_name = _("还款计划调整")

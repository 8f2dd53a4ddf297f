from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "huifang.portfolio"
    label = "portfolio"
    verbose_name = "贷款组合"

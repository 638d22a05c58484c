from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kehoach_docs.web"
    label = "kehoach_web"
    verbose_name = "Kế hoạch hành động"

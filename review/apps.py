from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "复核与验收"

    def ready(self):
        # Register the built-in check rules at start-up, so the registry is complete before
        # any request; apps at review's level or above register theirs in their own ready().
        from review import checks  # noqa: F401

from django.db import models


class SetupMarker(models.Model):
    """A one-time set-up step that has run in this database (``setup_demo`` records "demo"),
    so that running set-up again never repeats it over data people have since changed."""

    name = models.CharField("步骤", max_length=50, unique=True)
    done_at = models.DateTimeField("完成时间")

    class Meta:
        verbose_name = "初始化记录"
        verbose_name_plural = "初始化记录"

    def __str__(self) -> str:
        return f"{self.name}（{self.done_at:%Y-%m-%d %H:%M}）"

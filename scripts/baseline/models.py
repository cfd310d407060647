from django.db import models


class Row(models.Model):
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=100)

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.title

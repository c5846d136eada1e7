"""The task families, by the dialect a channel speaks to take them."""
from services.tasks.families import jimeng, kling, openai_videos

FAMILIES = {family.name: family for family in (openai_videos.FAMILY, kling.FAMILY, jimeng.FAMILY)}

__all__ = ["FAMILIES"]

"""The task families, by the dialect a channel speaks to take them."""
from services.tasks.families import midjourney, openai_videos

FAMILIES = {family.name: family for family in (openai_videos.FAMILY, midjourney.FAMILY)}

__all__ = ["FAMILIES"]

"""The task families, by the dialect a channel speaks to take them."""
from services.tasks.families import dashscope_images, jimeng, kling, midjourney, openai_videos, suno

FAMILIES = {family.name: family for family in (openai_videos.FAMILY, midjourney.FAMILY, suno.FAMILY,
                                               dashscope_images.FAMILY, kling.FAMILY, jimeng.FAMILY)}

__all__ = ["FAMILIES"]

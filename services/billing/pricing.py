"""Prices and usage in integers. Token prices are credits per 1M tokens; the
other units are priced in the unit their providers bill in: per image (by
size and quality), per 1M characters of speech input, per second of audio,
per search unit. A request costs the ceiling of the sum of its parts plus the
flat request price."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

PER = 1_000_000


@dataclass(frozen=True)
class Price:
    input: int = 0
    output: int = 0
    cache_read: int | None = None  # None: cached input costs `input`
    request: int = 0
    cache_write: int | None = None  # None: prompt-cache writes cost `input`
    # Credits per generated image, by "SIZE/QUALITY" with "*" for any
    # (see image_price); empty: images are billed by their tokens only.
    image: dict = field(default_factory=dict, hash=False, compare=False)
    image_input: int | None = None  # per 1M image input tokens; None: `input`
    character: int = 0              # per 1M characters of speech input
    second: int = 0                 # per second of audio transcribed or translated
    search_unit: int = 0            # per search unit (one query over up to 100 documents)
    # Credits per second of generated video by size ("*": any); empty: `second`.
    video: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def worst_input(self) -> int:
        """The highest per-token input price, for bounds."""
        return max(self.input, self.cache_read or 0, self.cache_write or 0, self.image_input or 0)

    def image_price(self, tier: str | None) -> int:
        """Credits per image of `tier` ("1024x1024/hd"): the exact tier, then
        the size at any quality, then the quality at any size, then "*";
        0 when the table has none of them."""
        if not self.image:
            return 0
        size, _, quality = (tier or "").partition("/")
        for name in (f"{size}/{quality}", size, f"*/{quality}", "*"):
            if name in self.image:
                return self.image[name]
        return 0

    def video_price(self, size: str | None) -> int:
        """Credits per second of video of `size`: its entry, else "*", else
        the per-second price."""
        if self.video:
            for name in (size or "", "*"):
                if name in self.video:
                    return self.video[name]
        return self.second

    def dearest_video(self, size: str | None) -> int:
        """The most a second of video of `size` can cost (unknown: any entry)."""
        if size not in (None, "", "auto"):
            return self.video_price(size)
        return max([self.video_price(None), *self.video.values()])

    def dearest_image(self, size: str | None, quality: str | None) -> int:
        """The most one image of this size and quality can cost: an unknown
        part (None or "auto") is tried as every value the table names, and
        as one it does not."""
        def values(known: str | None, index: int) -> set:
            if known not in (None, "auto"):
                return {known}
            named = {name.partition("/")[index] for name in self.image} - {"", "*"}
            return named | {"\0"}  # "\0": a value the table does not name
        return max((self.image_price(f"{s}/{q}") for s in values(size, 0) for q in values(quality, 2)),
                   default=0)


@dataclass
class Usage:
    prompt_tokens: int = 0          # all input tokens, cached and image ones included
    completion_tokens: int = 0
    cached_tokens: int = 0          # input tokens read from a prompt cache
    cache_write_tokens: int = 0     # input tokens written to a prompt cache (Anthropic)
    estimated: bool = False         # counted locally: the upstream sent no usage
    reasoning_tokens: int = 0       # of completion_tokens, spent thinking (billed as output)
    image_input_tokens: int = 0     # of prompt_tokens, image inputs (token-billed image models)
    images: int = 0                 # images generated
    image_tier: str | None = None   # their "SIZE/QUALITY"
    characters: int = 0             # speech input characters
    audio_ms: int = 0               # milliseconds of audio transcribed or translated
    search_units: int = 0           # rerank queries over up to 100 documents each
    video_seconds: int = 0          # seconds of video generated
    video_size: str | None = None   # its size ("1280x720")

    UNITS = ("images", "characters", "audio_ms", "search_units", "video_seconds")

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def with_units_from(self, measure: "Usage | None") -> "Usage":
        """This usage, with the units the upstream did not report (zero here)
        taken from the local measure."""
        if measure is None:
            return self
        missing = {name: getattr(measure, name) for name in self.UNITS
                   if not getattr(self, name) and getattr(measure, name)}
        for name in ("image_tier", "video_size"):
            if getattr(self, name) is None and getattr(measure, name) is not None:
                missing[name] = getattr(measure, name)
        return replace(self, **missing) if missing else self


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def cost(price: Price, usage: Usage) -> int:
    cached = min(max(usage.cached_tokens, 0), usage.prompt_tokens)
    written = min(max(usage.cache_write_tokens, 0), usage.prompt_tokens - cached)
    images_in = min(max(usage.image_input_tokens, 0), usage.prompt_tokens - cached - written)
    read_price = price.input if price.cache_read is None else price.cache_read
    write_price = price.input if price.cache_write is None else price.cache_write
    image_in_price = price.input if price.image_input is None else price.image_input
    micro = ((usage.prompt_tokens - cached - written - images_in) * price.input + cached * read_price
             + written * write_price + images_in * image_in_price + usage.completion_tokens * price.output
             + max(usage.characters, 0) * price.character
             + max(usage.audio_ms, 0) * price.second * (PER // 1000)
             + (max(usage.images, 0) * price.image_price(usage.image_tier)
                + max(usage.search_units, 0) * price.search_unit
                + max(usage.video_seconds, 0) * price.video_price(usage.video_size)) * PER)
    return _ceil_div(max(micro, 0), PER) + price.request


def hold(price: Price, prompt_bound: int, output_bound: int) -> int:
    """The most a request can cost: every prompt token at the dearest input
    price and every allowed output token."""
    micro = prompt_bound * price.worst_input + output_bound * price.output
    return _ceil_div(micro, PER) + price.request


def affordable_output(price: Price, budget: int, prompt_bound: int) -> int:
    """How many output tokens `budget` credits pay for after the prompt."""
    room = (budget - price.request) * PER - prompt_bound * price.worst_input
    if room < 0:
        return 0
    if price.output <= 0:
        return 1 << 30
    return room // price.output

"""`flask channel ...` and `flask model ...`."""
from __future__ import annotations

import sys

import click
from sqlalchemy import select

from extensions import db
from models import Channel, LlmModel, ModelAlias
from services.catalog.channels import ChannelError, add_channel, set_enabled, update_channel
from services.catalog.dialects import DEFAULT_SPEAKS, DIALECTS
from services.catalog.models import RegistryError, format_image_prices, remove_alias, set_alias, set_model


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for item in values:
        client, sep, upstream = item.partition("=")
        if not sep or not client.strip() or not upstream.strip():
            raise click.BadParameter(f"expected client_name=upstream_name, got {item!r}", param_hint="--map")
        mapping[client.strip()] = upstream.strip()
    return mapping


SPEAKS_HELP = ("Comma-separated dialects the upstream speaks, from: " + ", ".join(DIALECTS) + ". Default by "
               "provider: " + "; ".join(f"{kind}: {','.join(names)}" for kind, names in DEFAULT_SPEAKS.items())
               + ". Tollgate never probes the upstream to find out.")


@click.group(help="Upstream channels.")
def channel():
    pass


@channel.command("add")
@click.argument("name")
@click.option("--provider", required=True,
              help="Adapter kind: openai, anthropic, gemini (Google AI Studio keys), midjourney "
                   "(a midjourney-proxy), suno (a suno-api server), dashscope (DashScope's asynchronous images), "
                   "kling (key ACCESS|SECRET), jimeng (key AK|SK), demo.")
@click.option("--base-url", default="", help="The provider's API base URL, e.g. https://api.deepseek.com/v1 "
              "(gemini: https://generativelanguage.googleapis.com/v1beta).")
@click.option("--api-key", default=None, help="The provider key; stored encrypted, never printed.")
@click.option("--models", required=True, help="Comma-separated model ids this channel serves.")
@click.option("--map", "maps", multiple=True, metavar="CLIENT=UPSTREAM",
              help="Send model CLIENT to the upstream as UPSTREAM (repeatable).")
@click.option("--priority", default=0, show_default=True, type=int, help="Higher priority groups serve first.")
@click.option("--weight", default=1, show_default=True, type=int, help="Share of traffic inside a priority group.")
@click.option("--connect-timeout", type=float, help="Seconds to connect (default UPSTREAM_CONNECT_TIMEOUT).")
@click.option("--first-byte-timeout", type=float, help="Seconds until the answer starts (default UPSTREAM_FIRST_BYTE_TIMEOUT).")
@click.option("--idle-timeout", type=float, help="Longest silence in a stream (default UPSTREAM_IDLE_TIMEOUT).")
@click.option("--speaks", default=None, metavar="DIALECTS", help=SPEAKS_HELP)
def channel_add(name, provider, base_url, api_key, models, maps, priority, weight, connect_timeout,
                first_byte_timeout, idle_timeout, speaks):
    """Add an upstream channel NAME."""
    try:
        created = add_channel(name, provider, base_url, api_key, _csv(models), _pairs(maps), priority, weight,
                              timeouts=(connect_timeout, first_byte_timeout, idle_timeout), speaks=speaks)
    except ChannelError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"channel {created.id} {created.name}: {created.provider} {created.base_url} "
               f"serving {', '.join(created.models)}; speaks {','.join(created.speaks_list)}")
    priced = set(db.session.scalars(select(LlmModel.id)))
    for model_id in created.models:
        if model_id not in priced:
            click.echo(f"note: model {model_id} has no price yet; run `flask --app app model set {model_id} ...`")


@channel.command("edit")
@click.argument("name")
@click.option("--rename", "new_name", default=None, help="A new name for the channel.")
@click.option("--provider", default=None, help="Adapter kind: openai, anthropic, gemini, midjourney, suno, dashscope, "
                                                            "kling, jimeng, demo.")
@click.option("--base-url", default=None, help="The provider's API base URL.")
@click.option("--api-key", default=None, help="A new provider key; stored encrypted, never printed.")
@click.option("--models", default=None, help="Comma-separated model ids this channel serves (replaces the list).")
@click.option("--map", "maps", multiple=True, metavar="CLIENT=UPSTREAM",
              help="Send model CLIENT to the upstream as UPSTREAM (repeatable; replaces the map).")
@click.option("--clear-map", is_flag=True, help="Remove every model mapping.")
@click.option("--priority", default=None, type=int, help="Higher priority groups serve first.")
@click.option("--weight", default=None, type=int, help="Share of traffic inside a priority group.")
@click.option("--connect-timeout", type=float, help="Seconds to connect.")
@click.option("--first-byte-timeout", type=float, help="Seconds until the answer starts.")
@click.option("--idle-timeout", type=float, help="Longest silence in a stream.")
@click.option("--speaks", default=None, metavar="DIALECTS",
              help=SPEAKS_HELP + ' "default" (or "") goes back to the provider default.')
def channel_edit(name, new_name, provider, base_url, api_key, models, maps, clear_map, priority, weight,
                 connect_timeout, first_byte_timeout, idle_timeout, speaks):
    """Change channel NAME: only the options given change; the rest is kept."""
    ch = db.session.scalar(select(Channel).where(Channel.name == name))
    if ch is None:
        raise click.ClickException(f"no channel named {name!r}")
    if speaks is None:
        speaks = ch.speaks
    elif speaks.strip().lower() == "default":
        speaks = None
    model_map = {} if clear_map else (_pairs(maps) if maps else dict(ch.model_map or {}))
    try:
        edited = update_channel(
            ch.id, name=new_name or ch.name, provider=provider or ch.provider,
            base_url=ch.base_url if base_url is None else base_url, api_key=api_key,
            models=_csv(models) if models is not None else list(ch.models or ()), model_map=model_map,
            priority=ch.priority if priority is None else priority, weight=ch.weight if weight is None else weight,
            timeouts=tuple(old if new is None else new for old, new in (
                (ch.connect_timeout, connect_timeout), (ch.first_byte_timeout, first_byte_timeout),
                (ch.idle_timeout, idle_timeout))),
            speaks=speaks)
    except ChannelError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"channel {edited.id} {edited.name}: {edited.provider} {edited.base_url} "
               f"serving {', '.join(edited.models)}; speaks {','.join(edited.speaks_list)}")


@channel.command("list")
def channel_list():
    """List channels (secrets are never shown) and the dialects each speaks
    (a trailing * marks the provider default)."""
    for ch in db.session.scalars(select(Channel).order_by(Channel.id)):
        state = "enabled" if ch.enabled else "disabled"
        speaks = ",".join(ch.speaks_list) + ("" if ch.speaks else "*")
        click.echo(f"{ch.id}\t{ch.name}\t{ch.provider}\t{state}\tp{ch.priority}/w{ch.weight}\t"
                   f"{ch.base_url}\t{','.join(ch.models)}\tspeaks {speaks}")


@channel.command("disable")
@click.argument("name")
def channel_disable(name):
    """Stop routing to channel NAME."""
    try:
        set_enabled(name, False)
    except ChannelError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"channel {name} disabled")


@channel.command("enable")
@click.argument("name")
def channel_enable(name):
    """Route to channel NAME again."""
    try:
        set_enabled(name, True)
    except ChannelError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"channel {name} enabled")


@channel.command("check")
@click.argument("name", required=False)
def channel_check(name):
    """Send a one-token request through every enabled channel (or NAME) and
    record health and upstream balance; exit 1 if any failed."""
    from services.relay.health import check_all

    results = check_all(name)
    if name and not results:
        raise click.ClickException(f"no enabled channel named {name!r}")
    for r in results:
        balance = f"  balance {r.balance}" if r.balance else ""
        click.echo(f"{'ok  ' if r.ok else 'FAIL'} {r.name} ({r.model}) {r.latency_ms} ms: {r.detail}{balance}")
    if any(not r.ok for r in results):
        sys.exit(1)


@click.group(help="The model registry and its prices (credits per 1M tokens).")
def model():
    pass


@model.command("set")
@click.argument("model_id")
@click.option("--input-price", type=int, help="Credits per 1M input tokens.")
@click.option("--output-price", type=int, help="Credits per 1M output tokens.")
@click.option("--request-price", type=int, help="Flat credits per request.")
@click.option("--cache-read-price", type=int, help="Credits per 1M cached input tokens (default: the input price).")
@click.option("--cache-write-price", type=int, help="Credits per 1M tokens written to a prompt cache (default: input).")
@click.option("--image-prices", metavar="TIER=CREDITS,...",
              help="Credits per generated image by SIZE/QUALITY, SIZE, */QUALITY or *, e.g. "
                   "'1024x1024/hd=4000000,1024x1024=2000000,*=2000000'; '' removes the table.")
@click.option("--image-input-price", type=int,
              help="Credits per 1M image input tokens (token-billed image models; default: the input price).")
@click.option("--character-price", type=int, help="Credits per 1M characters of speech input.")
@click.option("--second-price", type=int, help="Credits per second of audio transcribed or translated.")
@click.option("--search-unit-price", type=int,
              help="Credits per rerank search unit (one query over up to 100 documents).")
@click.option("--video-prices", metavar="KEY=CREDITS,...",
              help="Credits per second of generated video by size (OpenAI videos: '1280x720=2000'), by mode "
                   "(Kling: 'std=1000,pro=3500') or '*'; '' removes the table.")
@click.option("--display-name")
@click.option("--category", help="chat, reasoning, embedding, image, audio, moderation, rerank, ...")
@click.option("--capabilities", help="Comma-separated, shown in /v1/models, e.g. chat,tools,vision,reasoning or "
                                     "embeddings, images, audio.speech, audio.transcription, moderation, rerank.")
@click.option("--owned-by")
@click.option("--context-window", type=int)
@click.option("--max-output-tokens", type=int, help="The most output tokens the upstream accepts.")
@click.option("--public/--private", default=None, help="Listed in /v1/models for every key.")
@click.option("--enable/--disable", "enabled", default=None)
def model_set(model_id, capabilities, image_prices, video_prices, **fields):
    """Create or update MODEL_ID in the registry. Token prices are credits
    per 1M tokens; the unit prices (images, characters, seconds, search
    units) apply to the families billed in them, next to any token prices."""
    if capabilities is not None:
        fields["capabilities"] = _csv(capabilities)
    clear = ()
    for name, value in (("image_prices", image_prices), ("video_prices", video_prices)):
        if value is not None:
            if value.strip():
                fields[name] = value
            else:
                clear += (name,)
    try:
        row, created = set_model(model_id, clear=clear, **fields)
    except RegistryError as exc:
        raise click.ClickException(str(exc)) from None
    units = "".join(f", {label} {value}" for label, value in (
        ("per image", format_image_prices(row.image_prices)), ("per 1M image input tokens", row.image_input_price),
        ("per 1M characters", row.character_price), ("per second", row.second_price),
        ("per search unit", row.search_unit_price),
        ("per second of video", format_image_prices(row.video_prices))) if value)
    click.echo(f"model {row.id} {'created' if created else 'updated'}: input {row.input_price}, "
               f"output {row.output_price}, request {row.request_price} credits{units} "
               f"({'enabled' if row.enabled else 'disabled'}, {'public' if row.public else 'private'})")


@model.command("list")
def model_list():
    """List the registry."""
    for row in db.session.scalars(select(LlmModel).order_by(LlmModel.id)):
        click.echo(f"{row.id}\t{row.display_name}\tin {row.input_price}\tout {row.output_price}\t"
                   f"req {row.request_price}\t{'enabled' if row.enabled else 'disabled'}\t"
                   f"{'public' if row.public else 'private'}")


@model.command("alias")
@click.argument("pattern")
@click.argument("model_id")
def model_alias(pattern, model_id):
    """Let clients call MODEL_ID by PATTERN, a name or wildcard such as 'claude-sonnet-4-*'.
    The registry model is billed; answers show the name the client asked for."""
    try:
        set_alias(pattern, model_id)
    except RegistryError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"alias {pattern} -> {model_id}")


@model.command("unalias")
@click.argument("pattern")
def model_unalias(pattern):
    """Remove the alias PATTERN."""
    if not remove_alias(pattern):
        raise click.ClickException(f"no alias {pattern!r}")
    click.echo(f"alias {pattern} removed")


@model.command("aliases")
def model_aliases():
    """List model aliases."""
    for row in db.session.scalars(select(ModelAlias).order_by(ModelAlias.pattern)):
        click.echo(f"{row.pattern}\t-> {row.model_id}")

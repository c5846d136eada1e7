"""What a channel's upstream speaks: the operator says (services.catalog.dialects),
NULL means the provider kind's default, and the catalog snapshot always has
it; a dialect the kind cannot send is refused. On SQLite and PostgreSQL, so
migration 0006 runs on both."""
import pytest
from sqlalchemy import inspect

from extensions import db
from models import Channel
from services.catalog.channels import ChannelError, add_channel, update_channel
from services.catalog.snapshot import ChannelInfo, load_catalog
from services.catalog.dialects import (CAN_SEND, DEFAULT_SPEAKS, DIALECTS, SpeaksError, check_speaks, parse_speaks,
                                    speaks_of)

BASE = "http://127.0.0.1:9/v1"


def test_the_names_and_defaults():
    # The task families append their dialects (and kinds): checked as a subset, not in full.
    assert DIALECTS[:9] == ("openai.chat", "openai.responses", "openai.completions", "openai.embeddings",
                            "openai.images", "openai.audio.speech", "openai.audio.transcriptions",
                            "openai.moderations", "openai.rerank")
    assert {"anthropic.messages", "gemini", "openai.videos", "openai.realtime", "midjourney", "suno",
            "dashscope.images"} <= set(DIALECTS)
    assert {"openai": ("openai.chat",), "anthropic": ("anthropic.messages",), "demo": ("openai.chat",),
            "gemini": ("gemini",), "midjourney": ("midjourney",), "suno": ("suno",),
            "dashscope": ("dashscope.images",)}.items() <= DEFAULT_SPEAKS.items()
    assert CAN_SEND["gemini"] == ("gemini",) and CAN_SEND["midjourney"] == ("midjourney",)
    assert CAN_SEND["openai"][:9] == DIALECTS[:9] and CAN_SEND["anthropic"] == ("anthropic.messages",)
    assert {"openai.videos", "openai.realtime"} <= set(CAN_SEND["openai"])
    assert CAN_SEND["demo"] == ("openai.chat",)
    assert CAN_SEND["suno"] == ("suno",) and CAN_SEND["dashscope"] == ("dashscope.images",)
    for kind, names in DEFAULT_SPEAKS.items():
        assert set(names) <= set(CAN_SEND[kind])


def test_parse_speaks_splits_deduplicates_and_names_the_allowed_values():
    assert parse_speaks("openai.chat, openai.responses openai.chat,,") == ("openai.chat", "openai.responses")
    assert parse_speaks(["OpenAI.Chat", "openai.embeddings"]) == ("openai.chat", "openai.embeddings")
    assert parse_speaks("") == () and parse_speaks(None) == () and parse_speaks(" , ") == ()
    with pytest.raises(SpeaksError) as exc:
        parse_speaks("openai.chat,openai.chatt")
    assert "'openai.chatt'" in str(exc.value) and ", ".join(DIALECTS) in str(exc.value)


def test_a_dialect_the_kind_cannot_send_is_refused():
    assert check_speaks("openai", "openai.chat,openai.responses") == ("openai.chat", "openai.responses")
    with pytest.raises(SpeaksError, match="a channel of kind anthropic cannot speak openai.chat; "
                                          "it can speak anthropic.messages"):
        check_speaks("anthropic", "anthropic.messages,openai.chat")
    with pytest.raises(SpeaksError, match="kind demo cannot speak openai.responses"):
        check_speaks("demo", "openai.responses")
    with pytest.raises(SpeaksError, match="cannot speak anthropic.messages"):
        check_speaks("openai", "anthropic.messages")
    assert check_speaks("gemini", "gemini") == ("gemini",)
    with pytest.raises(SpeaksError, match="a channel of kind gemini cannot speak openai.chat; it can speak gemini"):
        check_speaks("gemini", "openai.chat")
    with pytest.raises(SpeaksError, match="kind openai cannot speak gemini"):
        check_speaks("openai", "gemini")


def test_speaks_of_falls_back_to_the_default_and_tolerates_what_it_does_not_know():
    assert speaks_of("openai", None) == ("openai.chat",)
    assert speaks_of("anthropic", "") == ("anthropic.messages",)
    assert speaks_of("openai", "openai.responses,future.dialect") == ("openai.responses",)
    assert speaks_of("anthropic", "openai.chat") == ("anthropic.messages",)
    assert ChannelInfo(id=1, name="c", provider="openai", base_url="", api_key="", models=(), model_map={},
                       priority=0, weight=1).speaks == ("openai.chat",)


def test_the_column_exists_after_migrating(app):
    columns = {c["name"]: c for c in inspect(db.engine).get_columns("channels")}
    assert "speaks" in columns and columns["speaks"]["nullable"]


def test_add_and_update_store_speaks_and_the_snapshot_always_has_it(app):
    plain = add_channel("plain", "openai", BASE, None, ["m1"])
    claude = add_channel("claude", "anthropic", BASE, None, ["m2"])
    both = add_channel("both", "openai", BASE, None, ["m3"], speaks="openai.chat, openai.responses")
    listed = add_channel("listed", "openai", BASE, None, ["m4"], speaks=["openai.embeddings"])
    assert (plain.speaks, claude.speaks) == (None, None)
    assert both.speaks == "openai.chat,openai.responses" and listed.speaks == "openai.embeddings"
    assert both.speaks_list == ("openai.chat", "openai.responses") and plain.speaks_list == ("openai.chat",)
    catalog = load_catalog()
    assert catalog.channels_for("m1")[0].speaks == ("openai.chat",)
    assert catalog.channels_for("m2")[0].speaks == ("anthropic.messages",)
    assert catalog.channels_for("m3")[0].speaks == ("openai.chat", "openai.responses")
    assert catalog.channels_for("m4")[0].speaks == ("openai.embeddings",)
    google = add_channel("google", "gemini", "http://127.0.0.1:9/v1beta", "AIza-k", ["m5"])
    assert google.speaks is None and load_catalog().channels_for("m5")[0].speaks == ("gemini",)

    update_channel(both.id, name="both", provider="openai", base_url=BASE, api_key=None, models=["m3"],
                   speaks="openai.responses")
    assert load_catalog().channels_for("m3")[0].speaks == ("openai.responses",)
    update_channel(both.id, name="both", provider="openai", base_url=BASE, api_key=None, models=["m3"])
    assert db.session.get(Channel, both.id).speaks is None
    assert load_catalog().channels_for("m3")[0].speaks == ("openai.chat",)


def test_the_service_refuses_bad_speaks_and_stores_nothing(app):
    with pytest.raises(ChannelError, match="unknown dialect 'gemini.generate'; choose from openai.chat"):
        add_channel("bad", "openai", BASE, None, ["m"], speaks="gemini.generate")
    with pytest.raises(ChannelError, match="a channel of kind anthropic cannot speak openai.responses"):
        add_channel("bad", "anthropic", BASE, None, ["m"], speaks="openai.responses")
    assert db.session.query(Channel).count() == 0
    channel = add_channel("ok", "openai", BASE, None, ["m"], speaks="openai.responses")
    with pytest.raises(ChannelError, match="cannot speak openai.responses"):
        update_channel(channel.id, name="ok", provider="anthropic", base_url=BASE, api_key=None, models=["m"],
                       speaks="openai.responses")
    db.session.rollback()
    row = db.session.get(Channel, channel.id)
    assert (row.provider, row.speaks) == ("openai", "openai.responses")


def test_migration_0006_goes_down_and_up_keeping_channels(app):
    from flask_migrate import downgrade, upgrade

    add_channel("kept", "openai", BASE, None, ["m"], speaks="openai.responses")
    db.session.remove()
    downgrade(revision="0005")
    assert "speaks" not in {c["name"] for c in inspect(db.engine).get_columns("channels")}
    upgrade()
    row = db.session.scalar(db.select(Channel).where(Channel.name == "kept"))
    assert row.speaks is None and row.speaks_list == ("openai.chat",)  # back to the default

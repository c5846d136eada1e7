"""The relay's line per request: logged at INFO, and neither built nor
written when the level is above it."""
import logging

from services import logs


class Key:
    id, prefix = 7, "sk-abcd"


RECORD = {"request_id": "req_1", "account_id": 3, "door": "chat", "model": "m", "status": 200,
          "prompt_tokens": 5, "completion_tokens": 2}


def test_the_request_line_names_the_key_by_id_and_prefix(caplog):
    with caplog.at_level(logging.INFO, logger="tollgate.request"):
        logs.request_line(RECORD, 42, Key())
    (entry,) = [r for r in caplog.records if r.name == "tollgate.request"]
    assert entry.getMessage().startswith("request req_1 ")
    assert "key_id=7 key_prefix=sk-abcd" in entry.getMessage() and "credits=42" in entry.getMessage()
    assert entry.fields["status"] == 200


def test_above_info_the_request_line_is_not_logged(caplog):
    caplog.set_level(logging.WARNING, logger="tollgate.request")
    logs.request_line(RECORD, 42, Key())
    assert not [r for r in caplog.records if r.name == "tollgate.request"]

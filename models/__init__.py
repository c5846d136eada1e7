"""Every model, imported in one place so Alembic sees the whole set."""
from models.account import Account, User
from models.audit import AuditEntry
from models.api_key import KEY_ACTIVE, KEY_DISABLED, ApiKey
from models.catalog import LlmModel, ModelAlias
from models.channel import Channel
from models.commerce import Coupon, Order, Outbox, Package
from models.ledger import KINDS as LEDGER_KINDS, LedgerEntry
from models.request_log import RequestLog
from models.stored_response import StoredResponse
from models.task import Task

__all__ = [
    "Account", "User", "AuditEntry", "ApiKey", "KEY_ACTIVE", "KEY_DISABLED", "LlmModel", "ModelAlias", "Channel",
    "LedgerEntry", "LEDGER_KINDS", "RequestLog", "Package", "Coupon", "Order", "Outbox", "StoredResponse", "Task",
]

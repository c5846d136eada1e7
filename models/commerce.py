"""The storefront's data: packages for sale, coupons, orders and the mail outbox.

Money is integers: prices in cents (CNY fen), what a buyer gets in credits.
"""
from extensions import db
from models.base import utcnow

PURCHASE = "purchase"   # first purchase: a new account and key are provisioned
TOPUP = "topup"         # credits for an existing key's account

ORDER_PENDING = "pending"
ORDER_PAID = "paid"
ORDER_CLOSED = "closed"
ORDER_REFUNDED = "refunded"


class Package(db.Model):
    """Something to buy. Edited by the operator (`flask package ...`, the admin later)."""

    __tablename__ = "packages"
    __table_args__ = (
        db.CheckConstraint("price_cents > 0", name="price_positive"),
        db.CheckConstraint("base_credits >= 0 AND bonus_credits >= 0", name="credits_nonnegative"),
    )

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(40), nullable=False, unique=True)
    kind = db.Column(db.String(16), nullable=False)  # purchase | topup
    name = db.Column(db.String(120), nullable=False)
    name_zh = db.Column(db.String(120), nullable=False, default="")
    currency = db.Column(db.String(3), nullable=False, default="CNY")
    price_cents = db.Column(db.Integer, nullable=False)
    base_credits = db.Column(db.BigInteger, nullable=False)
    bonus_credits = db.Column(db.BigInteger, nullable=False, default=0)
    active = db.Column(db.Boolean, nullable=False, default=True)
    sort_order = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    @property
    def credits(self) -> int:
        return self.base_credits + self.bonus_credits


class Coupon(db.Model):
    """Percent or fixed cents off, inside a validity window, for some or all
    packages. `used` counts orders holding it; the CHECKs make the race for
    the last use have one winner."""

    __tablename__ = "coupons"
    __table_args__ = (
        db.CheckConstraint("kind IN ('percent', 'fixed')", name="kind_known"),
        db.CheckConstraint("value > 0", name="value_positive"),
        db.CheckConstraint("used >= 0 AND (max_uses IS NULL OR used <= max_uses)", name="uses_bounded"),
    )

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(40), nullable=False, unique=True)  # stored upper case
    kind = db.Column(db.String(16), nullable=False)  # percent | fixed
    value = db.Column(db.Integer, nullable=False)    # percent off (1-99) or cents off
    package_codes = db.Column(db.JSON)               # list of package codes, or None for all
    valid_from = db.Column(db.DateTime)
    valid_until = db.Column(db.DateTime)
    max_uses = db.Column(db.Integer)                 # None: unlimited
    used = db.Column(db.Integer, nullable=False, default=0)
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class Order(db.Model):
    """pending -> paid -> (refunded), or pending -> closed. The move to paid
    is a conditional UPDATE on status, in the transaction that books the
    credits (services.store.orders.fulfil)."""

    __tablename__ = "orders"
    __table_args__ = (
        db.CheckConstraint("amount_cents > 0", name="amount_positive"),
        db.CheckConstraint("status IN ('pending', 'paid', 'closed', 'refunded')", name="status_known"),
        db.Index("ix_orders_status_created", "status", "created_at"),
    )

    id = db.Column(db.Integer, primary_key=True)
    order_no = db.Column(db.String(32), nullable=False, unique=True)
    kind = db.Column(db.String(16), nullable=False)  # purchase | topup
    status = db.Column(db.String(16), nullable=False, default=ORDER_PENDING)
    contact_email = db.Column(db.String(255), nullable=False)
    # What was sold, copied from the package at order time.
    package_code = db.Column(db.String(40), nullable=False)
    package_name = db.Column(db.String(120), nullable=False)
    price_cents = db.Column(db.Integer, nullable=False)
    discount_cents = db.Column(db.Integer, nullable=False, default=0)
    amount_cents = db.Column(db.Integer, nullable=False)  # what the buyer pays
    base_credits = db.Column(db.BigInteger, nullable=False)
    bonus_credits = db.Column(db.BigInteger, nullable=False, default=0)
    coupon_id = db.Column(db.Integer, db.ForeignKey("coupons.id"))
    coupon_code = db.Column(db.String(40))
    # Top-up: the target key and its account. Purchase: set on delivery.
    account_id = db.Column(db.Integer, db.ForeignKey("accounts.id"))
    key_id = db.Column(db.Integer, db.ForeignKey("api_keys.id"))
    provider = db.Column(db.String(16), nullable=False)
    qr_code = db.Column(db.Text)          # the provider's QR payload, once started
    trade_no = db.Column(db.String(64))   # the provider's own trade number
    paid_via = db.Column(db.String(16))   # notify | query | dev | reconcile | admin
    delivery_state = db.Column(db.String(16), nullable=False, default="pending")  # pending | delivered
    # A purchased key, encrypted, until the buyer has been shown it once.
    key_ciphertext = db.Column(db.Text)
    key_revealed_at = db.Column(db.DateTime)
    source_page = db.Column(db.String(40))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    expires_at = db.Column(db.DateTime, nullable=False)
    checked_at = db.Column(db.DateTime)   # last active query to the provider
    paid_at = db.Column(db.DateTime)
    closed_at = db.Column(db.DateTime)
    refunded_at = db.Column(db.DateTime)
    # Why an operator marked it paid or refunded it by hand.
    admin_note = db.Column(db.String(255))

    @property
    def credits(self) -> int:
        return self.base_credits + self.bonus_credits


class Outbox(db.Model):
    """Mail to send. Bodies can hold a purchased key, so they are encrypted
    with SECRET_KEY like channel secrets. Without SMTP settings the rows stay
    here and the operator reads them with `flask outbox show`."""

    __tablename__ = "outbox"

    id = db.Column(db.Integer, primary_key=True)
    to_email = db.Column(db.String(255), nullable=False)
    subject = db.Column(db.String(200), nullable=False)
    body_ciphertext = db.Column(db.Text, nullable=False)
    ref = db.Column(db.String(64), index=True)  # the order number
    status = db.Column(db.String(16), nullable=False, default="queued")  # queued | sent | failed
    attempts = db.Column(db.Integer, nullable=False, default=0)
    last_error = db.Column(db.String(255))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    sent_at = db.Column(db.DateTime)

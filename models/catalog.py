"""The model registry: what can be called, and at what price."""
from extensions import db
from models.base import utcnow


class LlmModel(db.Model):
    """Prices are credits per 1M tokens (input, output, cached input), plus
    optional flat credits per request, plus the unit prices of models billed
    by image, character, second or search unit."""

    __tablename__ = "models"

    id = db.Column(db.String(128), primary_key=True)
    display_name = db.Column(db.String(200), nullable=False, default="")
    category = db.Column(db.String(32), nullable=False, default="chat")
    capabilities = db.Column(db.JSON, nullable=False, default=list)
    owned_by = db.Column(db.String(64), nullable=False, default="tollgate")
    context_window = db.Column(db.Integer)
    max_output_tokens = db.Column(db.Integer)
    input_price = db.Column(db.BigInteger, nullable=False, default=0)
    output_price = db.Column(db.BigInteger, nullable=False, default=0)
    cache_read_price = db.Column(db.BigInteger)  # None: cached input costs the input price
    cache_write_price = db.Column(db.BigInteger)  # None: prompt-cache writes cost the input price
    request_price = db.Column(db.BigInteger, nullable=False, default=0)
    # Units other than tokens (services.billing.pricing.Price): credits per
    # image by "SIZE/QUALITY", per 1M image input tokens, per 1M speech
    # characters, per second of audio, per search unit.
    image_prices = db.Column(db.JSON)
    image_input_price = db.Column(db.BigInteger)  # None: image input tokens cost the input price
    character_price = db.Column(db.BigInteger, nullable=False, default=0)
    second_price = db.Column(db.BigInteger, nullable=False, default=0)
    search_unit_price = db.Column(db.BigInteger, nullable=False, default=0)
    video_prices = db.Column(db.JSON)  # credits per second of video by size ("*": any); None: second_price
    enabled = db.Column(db.Boolean, nullable=False, default=True)
    public = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class ModelAlias(db.Model):
    """A client-facing model name, or a wildcard pattern such as
    `claude-sonnet-4-*`, that stands for a registry model. The target is
    billed and routed; the client sees the name it asked for."""

    __tablename__ = "model_aliases"

    id = db.Column(db.Integer, primary_key=True)
    pattern = db.Column(db.String(128), nullable=False, unique=True)
    model_id = db.Column(db.String(128), db.ForeignKey("models.id", ondelete="CASCADE"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

"""Alipay 当面付 (QR precreate) through the official SDK, alipay-sdk-python 3.7.1411.

This is the only module that imports ``alipay.*``, and it does so lazily: the
SDK is ~36k files, so importing it at app start would cost seconds.
The SDK's quirks relied on here (key formats, the port bug, error shapes,
notify verification) are explained where they are handled, and together in
docs/alipay.md.
"""
from __future__ import annotations

import base64
import re
import threading
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping
from urllib.parse import urlsplit

from .base import Checkout, NotifyEvent, PaymentError, TradeStatus, to_amount

DEFAULT_GATEWAY = "https://openapi.alipay.com/gateway.do"
DEFAULT_EXPIRES_IN = 15 * 60  # ORDER_TTL_SECONDS' default, for callers that give no expiry
REQUIRED_SETTINGS = ("ALIPAY_APP_ID", "ALIPAY_APP_PRIVATE_KEY", "ALIPAY_PUBLIC_KEY", "ALIPAY_NOTIFY_URL")

_STATES = {
    "WAIT_BUYER_PAY": "WAIT",
    "TRADE_SUCCESS": "PAID",
    "TRADE_FINISHED": "PAID",
    "TRADE_CLOSED": "CLOSED",
}
_port_fix_lock = threading.Lock()


def _setting(settings: Mapping[str, Any], name: str) -> str:
    value = settings.get(name)
    return str(value).strip() if value is not None else ""


def _load_key(value: str, private: bool):
    """Parse an RSA key given as PEM or bare base64 (the console's form), in
    PKCS#1, PKCS#8 or SPKI. Returns a cryptography key, or None if unusable.
    Env files often hold PEMs with literal '\\n', so those are unescaped."""
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import rsa

    text = value.strip().replace("\\n", "\n")
    try:
        if "-----BEGIN" in text:
            data, form = text.encode("ascii"), "pem"
        else:
            data, form = base64.b64decode("".join(text.split()), validate=True), "der"
        kind = "private" if private else "public"
        args = {"password": None} if private else {}
        key = getattr(ser, f"load_{form}_{kind}_key")(data, **args)
    except Exception:  # never chain: parser errors may quote key bytes
        return None
    return key if isinstance(key, rsa.RSAPrivateKey if private else rsa.RSAPublicKey) else None


def _pem(key) -> str:
    """The forms the SDK's ``rsa`` calls accept: PKCS#1 PEM for the private
    key (PKCS#8 fails there), SPKI PEM for the public key."""
    from cryptography.hazmat.primitives import serialization as ser

    if hasattr(key, "private_bytes"):
        return key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.TraditionalOpenSSL,
                                 ser.NoEncryption()).decode("ascii")
    return key.public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def _decimal(value: Any) -> Decimal | None:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def _install_port_fix() -> None:
    """The SDK's get_http_connection ignores the URL's port and then crashes on
    ``str + int``. do_post looks the function up in its module at call time, so
    replacing the module attribute is enough. Only used for URLs with a port
    (local fakes, proxies); production URLs have none and run the SDK as shipped.
    """
    import http.client

    import alipay.aop.api.util.WebUtils as web

    def get_http_connection(url, query_string, timeout):
        u = urlsplit(url)
        cls = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
        return u.path + "?" + query_string, cls(u.hostname, u.port, timeout=timeout)

    with _port_fix_lock:
        if getattr(web.get_http_connection, "_tollgate_fix", False):
            return
        get_http_connection._tollgate_fix = True
        web.get_http_connection = get_http_connection


_HINT = re.compile(r'"sub_code"\s*:\s*"([A-Za-z0-9_.\-]{1,64})"')


def _sdk_error(what: str, exc: BaseException) -> PaymentError:
    """Map an SDK exception to a PaymentError with a fixed-vocabulary message.

    SDK messages embed response bodies and, for signing failures, parser text
    that can quote key bytes, so they are never copied wholesale.
    """
    text = str(exc)
    kind = type(exc).__name__
    hint = _HINT.search(text)
    unverified = f" (unverified body says {hint.group(1)})" if hint else ""
    if "request sign failed" in text:
        msg = "signing the request failed; check ALIPAY_APP_PRIVATE_KEY"
    elif "connect failed" in text:
        reason = text.split("connect failed.", 1)[-1].strip()[:100]
        msg = f"gateway unreachable: {reason}"
    elif "sign verify failed" in text:
        msg = "gateway response signature did not verify; check ALIPAY_PUBLIC_KEY" + unverified
    elif "shape maybe illegal" in text:
        msg = "gateway response is unsigned or malformed" + unverified
    elif isinstance(exc, TimeoutError):
        msg = "gateway timed out"
    elif isinstance(exc, TypeError) and "bytes" in text:
        msg = "gateway answered with a non-200 HTTP status"  # SDK bug: str + bytes
    else:
        msg = f"gateway call failed ({kind})"
    return PaymentError(f"alipay {what}: {msg}")


class AlipayProvider:
    """当面付: ``start`` precreates a trade and returns its QR payload;
    ``query`` asks for its state; ``parse_notify`` verifies async notifies."""

    name = "alipay"
    ack = "success"
    nack = "fail"

    def __init__(self, settings: Mapping[str, Any]):
        bad, keys = _check_settings(settings)
        if bad:
            raise PaymentError("Alipay settings missing or invalid: " + ", ".join(bad))
        self.app_id = _setting(settings, "ALIPAY_APP_ID")
        self.seller_id = _setting(settings, "ALIPAY_SELLER_ID") or None
        self.gateway = _setting(settings, "ALIPAY_GATEWAY") or DEFAULT_GATEWAY
        self.notify_url = _setting(settings, "ALIPAY_NOTIFY_URL")
        self.http_timeout = float(_setting(settings, "ALIPAY_HTTP_TIMEOUT") or 15)
        self._private_pem = keys["ALIPAY_APP_PRIVATE_KEY"]
        self._alipay_pub = keys["ALIPAY_PUBLIC_KEY"]
        self._client = None
        self._client_lock = threading.Lock()

    def __repr__(self) -> str:  # keep keys out of reprs and tracebacks
        return f"AlipayProvider(app_id={self.app_id!r}, gateway={self.gateway!r})"

    @staticmethod
    def validate_settings(settings: Mapping[str, Any]) -> list[str]:
        """Names of required settings that are missing, empty or unusable, so the
        app can refuse to start in production (a forged notify must never
        verify against an empty key). ALIPAY_SELLER_ID is optional here."""
        return _check_settings(settings)[0]

    # --- SDK plumbing -------------------------------------------------------

    def _sdk(self):
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    from alipay.aop.api.AlipayClientConfig import AlipayClientConfig
                    from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient

                    if urlsplit(self.gateway).port:
                        _install_port_fix()
                    cfg = AlipayClientConfig()
                    cfg.server_url = self.gateway
                    cfg.app_id = self.app_id
                    cfg.sign_type = "RSA2"
                    cfg.app_private_key = self._private_pem
                    cfg.alipay_public_key = self._alipay_pub
                    cfg.timeout = self.http_timeout
                    self._client = DefaultAlipayClient(alipay_client_config=cfg)
        return self._client

    def _call(self, what: str, api: str, notify: bool = False, **biz):
        """One open-platform call; api "TradeQuery" -> AlipayTradeQuery{Model,Request,Response}."""
        from importlib import import_module

        def sdk(kind: str, name: str):
            return getattr(import_module(f"alipay.aop.api.{kind}.{name}"), name)

        _check_order_no(biz.get("out_trade_no"))
        model = sdk("domain", f"Alipay{api}Model")()
        for field, value in biz.items():
            setattr(model, field, value)
        request = sdk("request", f"Alipay{api}Request")(biz_model=model)
        if notify:
            request.notify_url = self.notify_url
        resp = sdk("response", f"Alipay{api}Response")()
        try:
            resp.parse_response_content(self._sdk().execute(request))
        except Exception as exc:
            raise _sdk_error(what, exc) from None
        return resp

    # --- provider API -------------------------------------------------------

    def start(self, order_no: str, amount: Decimal, subject: str,
              expires_in: float | None = None) -> Checkout:
        """``expires_in``: seconds the order stays payable. The QR lives as long
        (whole minutes, rounded down so it never outlives the order), but at
        least 1m, the shortest timeout_express Alipay takes."""
        seconds = DEFAULT_EXPIRES_IN if expires_in is None else expires_in
        resp = self._call("precreate", "TradePrecreate", notify=True, out_trade_no=order_no,
                          total_amount=str(to_amount(amount)), subject=(subject or order_no)[:256],
                          timeout_express=timeout_express(seconds))
        if resp.code != "10000":  # not is_success(): that only checks sub_code
            raise _business_error("precreate", resp)
        if not resp.qr_code:
            raise PaymentError("alipay precreate: success without qr_code", code=resp.code)
        return Checkout(provider=self.name, qr_code=resp.qr_code, redirect_url=None)

    def query(self, order_no: str) -> TradeStatus:
        resp = self._call("query", "TradeQuery", out_trade_no=order_no)
        if resp.code == "40004" and resp.sub_code == "ACQ.TRADE_NOT_EXIST":
            return TradeStatus("NOT_EXIST", None, None, None)  # QR not scanned yet
        if resp.code != "10000":
            raise _business_error("query", resp)
        raw = resp.trade_status
        # Unknown statuses are never PAID: WAIT keeps the order pending.
        return TradeStatus(_STATES.get(raw, "WAIT"), _decimal(resp.total_amount), resp.trade_no or None, raw)

    def close(self, order_no: str) -> bool:
        """Close an unpaid trade (expired orders). False if Alipay has no trade
        yet (QR never scanned). A paid trade raises PaymentError with
        sub_code ACQ.TRADE_STATUS_ERROR: query it and credit instead."""
        resp = self._call("close", "TradeClose", out_trade_no=order_no)
        if resp.code == "40004" and resp.sub_code == "ACQ.TRADE_NOT_EXIST":
            return False
        if resp.code != "10000":
            raise _business_error("close", resp)
        return True

    def parse_notify(self, form: Mapping[str, Any]) -> NotifyEvent | None:
        """Verified notify -> NotifyEvent; None if unsigned, badly signed or unusable.

        Content checks (order exists, amount, app_id, seller_id) are the order
        service's job; the fields are passed through untouched for that.
        """
        params = _form_to_dict(form)
        if params is None or not self._verify(params):
            return None
        order_no = params.get("out_trade_no")
        amount = _decimal(params.get("total_amount"))
        if not order_no or amount is None:
            return None
        return NotifyEvent(
            order_no=order_no,
            state=_STATES.get(params.get("trade_status", ""), "WAIT"),
            amount=amount,
            trade_no=params.get("trade_no") or None,
            app_id=params.get("app_id") or None,
            seller_id=params.get("seller_id") or None,
            raw=params,
        )

    def _verify(self, params: dict[str, str]) -> bool:
        # Alipay's notify rule: drop sign, sign_type and empty values; sort; RSA2.
        from alipay.aop.api.util.SignatureUtils import get_sign_content, verify_with_rsa

        sign = params.get("sign")
        if not sign or params.get("sign_type", "RSA2") != "RSA2":
            return False
        content = {k: v for k, v in params.items() if k not in ("sign", "sign_type") and v != ""}
        try:
            return bool(verify_with_rsa(self._alipay_pub, get_sign_content(content).encode("utf-8"), sign))
        except Exception:  # rsa.VerificationError raises instead of returning False
            return False


def timeout_express(seconds: float) -> str:
    """Alipay's relative expiry, whole minutes ("15m"), at least "1m"."""
    return f"{max(1, int(seconds // 60))}m"


def _business_error(what: str, resp) -> PaymentError:
    detail = " ".join(str(x) for x in (resp.code, resp.sub_code, resp.sub_msg or resp.msg) if x)
    return PaymentError(f"alipay {what}: gateway said {detail[:200]}", code=resp.code, sub_code=resp.sub_code)


def _form_to_dict(form: Mapping[str, Any]) -> dict[str, str] | None:
    # form[k] is the first value on a werkzeug MultiDict; the same values are
    # both verified and handed on, so duplicates cannot split the two.
    out = {}
    for key in form.keys():
        value = form[key]
        if not isinstance(key, str) or not isinstance(value, str):
            return None
        out[key] = value
    return out


def _check_order_no(order_no: Any) -> None:
    if not isinstance(order_no, str) or not re.fullmatch(r"[A-Za-z0-9_\-]{1,64}", order_no):
        raise PaymentError("order_no must be 1-64 letters, digits, '_' or '-'")


def _check_settings(settings: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    bad = [n for n in REQUIRED_SETTINGS if not _setting(settings, n)]
    loaded = {}
    for name, private in (("ALIPAY_APP_PRIVATE_KEY", True), ("ALIPAY_PUBLIC_KEY", False)):
        if name not in bad:
            key = _load_key(_setting(settings, name), private)
            if key:
                loaded[name] = key
            else:
                bad.append(name)
    keys = {name: _pem(key) for name, key in loaded.items()}
    # A common mix-up: the app's own public key (应用公钥) pasted instead of
    # the Alipay public key (支付宝公钥). Nothing would ever verify.
    if len(keys) == 2 and _pem(loaded["ALIPAY_APP_PRIVATE_KEY"].public_key()) == keys["ALIPAY_PUBLIC_KEY"]:
        bad.append("ALIPAY_PUBLIC_KEY")
    for name in ("ALIPAY_GATEWAY", "ALIPAY_NOTIFY_URL"):
        value = _setting(settings, name)
        if value and name not in bad and not _valid_url(value):
            bad.append(name)
    timeout = _setting(settings, "ALIPAY_HTTP_TIMEOUT")
    if timeout and not _positive_float(timeout):
        bad.append("ALIPAY_HTTP_TIMEOUT")
    return bad, keys


def _valid_url(value: str) -> bool:
    try:
        u = urlsplit(value)
        u.port  # raises ValueError on a bad port
    except ValueError:
        return False
    return u.scheme in ("http", "https") and bool(u.hostname)


def _positive_float(value: str) -> bool:
    try:
        return 0 < float(value) <= 300
    except ValueError:
        return False

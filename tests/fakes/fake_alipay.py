"""An offline fake of the Alipay open-platform gateway (docs/alipay.md, "Testing offline").

It verifies the merchant's RSA2 request signature with the app public key and
signs its responses and notifies with its own "platform" key, so the real SDK's
signing and verification run unchanged against it. Crypto here uses only
``cryptography`` (no SDK code), which checks the SDK independently.

    fake = FakeAlipay().start()
    settings = {"ALIPAY_GATEWAY": fake.gateway_url, **fake.settings(notify_url)}
    ...
    fake.pay("T1")          # plays the buyer: marks paid, POSTs the notify
    fake.stop()
"""
from __future__ import annotations

import base64
import json
import secrets
import threading
from datetime import datetime
from decimal import Decimal, InvalidOperation

import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization as ser
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from flask import Flask, Response, request
from werkzeug.serving import WSGIRequestHandler, make_server

PAID = ("TRADE_SUCCESS", "TRADE_FINISHED")


def generate_keypair(bits: int = 2048) -> dict[str, str]:
    """A throwaway RSA pair: PKCS#1 and PKCS#8 private PEM, SPKI public PEM,
    and the bare base64 bodies the Alipay console shows."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private = key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.TraditionalOpenSSL,
                                ser.NoEncryption()).decode()
    pkcs8 = key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()).decode()
    public = key.public_key().public_bytes(ser.Encoding.PEM,
                                           ser.PublicFormat.SubjectPublicKeyInfo).decode()
    return {"private": private, "private_pkcs8": pkcs8, "public": public,
            "private_b64": pem_body(private), "public_b64": pem_body(public)}


def pem_body(pem: str) -> str:
    return "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))


def sign_content(params: dict, exclude=("sign",)) -> str:
    return "&".join(f"{k}={params[k]}" for k in sorted(params)
                    if k not in exclude and params[k] not in (None, ""))


def rsa2_sign(private_pem: str, text: str) -> str:
    key = ser.load_pem_private_key(private_pem.encode(), password=None)
    sig = key.sign(text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(sig).decode()


def rsa2_verify(public_pem: str, text: str, sign: str) -> bool:
    key = ser.load_pem_public_key(public_pem.encode())
    try:
        key.verify(base64.b64decode(sign), text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
        return True
    except (InvalidSignature, ValueError):
        return False


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # keep pytest output readable
        pass


class ServerThread:
    """Serve a WSGI app on 127.0.0.1:<random port> from a daemon thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _now() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


class FakeAlipay:
    def __init__(self, app_id: str = "2021000000000001", seller_id: str = "2088000000000001"):
        self.app_id = app_id
        self.seller_id = seller_id
        app, platform = generate_keypair(), generate_keypair()
        self.keys = {
            "app_private": app["private"], "app_private_pkcs8": app["private_pkcs8"],
            "app_public": app["public"], "app_private_b64": app["private_b64"],
            "app_public_b64": app["public_b64"],
            "platform_private": platform["private"], "platform_public": platform["public"],
            "platform_private_b64": platform["private_b64"], "platform_public_b64": platform["public_b64"],
        }
        self.trades: dict[str, dict] = {}
        self.requests: list[dict] = []      # one entry per gateway call
        self.notifies: list[dict] = []      # one entry per notify sent by pay()
        self._forced: list[tuple[int, str]] = []
        self._lock = threading.Lock()
        self._server: ServerThread | None = None
        self.app = self._build_app()

    # --- lifecycle ------------------------------------------------------------

    def start(self) -> "FakeAlipay":
        self._server = ServerThread(self.app)
        return self

    def stop(self) -> None:
        if self._server:
            self._server.stop()
            self._server = None

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def gateway_url(self) -> str:
        return self.url + "/gateway.do"

    def settings(self, notify_url: str = "http://127.0.0.1:9/notify", bare: bool = False) -> dict:
        """Provider settings that match this fake."""
        k = self.keys
        return {
            "ALIPAY_APP_ID": self.app_id, "ALIPAY_SELLER_ID": self.seller_id,
            "ALIPAY_GATEWAY": self.gateway_url, "ALIPAY_NOTIFY_URL": notify_url,
            "ALIPAY_APP_PRIVATE_KEY": k["app_private_b64" if bare else "app_private"],
            "ALIPAY_PUBLIC_KEY": k["platform_public_b64" if bare else "platform_public"],
        }

    def force_response(self, status: int, body: str) -> None:
        """Answer the next gateway call with this raw status and body."""
        self._forced.append((status, body))

    # --- playing the buyer ------------------------------------------------------

    def scan(self, order_no: str) -> None:
        """The buyer scanned the QR: the trade now exists as WAIT_BUYER_PAY."""
        with self._lock:
            trade = self.trades[order_no]
            trade["status"] = trade["status"] or "WAIT_BUYER_PAY"
            trade["trade_no"] = trade["trade_no"] or self._new_trade_no()

    def pay(self, order_no: str, status: str = "TRADE_SUCCESS") -> tuple[int | None, str | None]:
        """Mark the trade ``status`` and POST the signed notify to its notify_url.
        Returns the notify's (HTTP status, body), or (None, None) if no notify_url."""
        self.scan(order_no)
        with self._lock:
            trade = self.trades[order_no]
            trade["status"] = status
            if status in PAID:
                trade["gmt_payment"] = trade.get("gmt_payment") or _now()
        if not trade["notify_url"]:
            return None, None
        form = self.build_notify(order_no, status)
        resp = requests.post(trade["notify_url"], data=form, timeout=10)
        self.notifies.append({"form": form, "status": resp.status_code, "body": resp.text})
        return resp.status_code, resp.text

    def build_notify(self, order_no: str, status: str = "TRADE_SUCCESS", **override) -> dict[str, str]:
        """A signed trade_status_sync notify. ``override`` applies before signing
        (validly signed but wrong content); edit the result afterwards to tamper."""
        trade = self.trades.get(order_no) or {
            "total_amount": Decimal("1.00"), "subject": "unknown", "trade_no": None,
            "created": _now(), "gmt_payment": None}
        amount = str(trade["total_amount"])
        params = {
            "notify_time": _now(), "notify_type": "trade_status_sync",
            "notify_id": secrets.token_hex(16), "charset": "utf-8", "version": "1.0",
            "sign_type": "RSA2", "app_id": self.app_id, "auth_app_id": self.app_id,
            "trade_no": trade["trade_no"] or self._new_trade_no(), "out_trade_no": order_no,
            "buyer_id": "2088102177846880", "buyer_logon_id": "159****5620",
            "seller_id": self.seller_id, "trade_status": status, "total_amount": amount,
            "receipt_amount": amount, "buyer_pay_amount": amount, "invoice_amount": amount,
            "point_amount": "0.00", "subject": trade["subject"], "gmt_create": trade["created"],
            "gmt_payment": trade.get("gmt_payment") or _now(),
            "fund_bill_list": json.dumps([{"amount": amount, "fundChannel": "ALIPAYACCOUNT"}]),
        }
        if status not in PAID:
            params.pop("gmt_payment")
        params.update({k: str(v) for k, v in override.items()})
        return self.sign_notify(params)

    def sign_notify(self, params: dict) -> dict[str, str]:
        """Sign as Alipay does for notifies: sign and sign_type excluded."""
        params = {k: v for k, v in params.items() if k != "sign"}
        params["sign"] = rsa2_sign(self.keys["platform_private"],
                                   sign_content(params, exclude=("sign", "sign_type")))
        return params

    # --- the gateway --------------------------------------------------------------

    def _new_trade_no(self) -> str:
        return datetime.now().strftime("%Y%m%d") + "22001" + secrets.token_hex(6)

    def _build_app(self) -> Flask:
        app = Flask("fake_alipay")

        @app.route("/gateway.do", methods=["GET", "POST"])
        def gateway():
            params = {**request.args.to_dict(), **request.form.to_dict()}
            method = params.get("method", "")
            if self._forced:
                status, body = self._forced.pop(0)
                self.requests.append({"method": method, "params": params, "forced": status})
                return Response(body, status=status, content_type="text/html;charset=utf-8")
            body = self._handle(method, params)
            self.requests.append({"method": method, "params": params, "code": body["code"],
                                  "sub_code": body.get("sub_code"),
                                  "user_agent": request.headers.get("User-Agent", "")})
            return self._envelope(method, body)

        return app

    def _envelope(self, method: str, body: dict) -> Response:
        # The SDK slices out the inner JSON text and verifies it, so sign those exact bytes.
        inner = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        key = (method.replace(".", "_") or "error") + "_response"
        text = '{"%s":%s,"sign":"%s"}' % (key, inner, rsa2_sign(self.keys["platform_private"], inner))
        return Response(text.encode("utf-8"), content_type="text/html;charset=utf-8")

    def _handle(self, method: str, params: dict) -> dict:
        sign = params.get("sign", "")
        if params.get("sign_type") != "RSA2" or not rsa2_verify(
                self.keys["app_public"], sign_content(params), sign):
            return _err("40002", "Invalid Arguments", "isv.invalid-signature", "验签出错")
        if params.get("app_id") != self.app_id:
            return _err("40002", "Invalid Arguments", "isv.invalid-app-id", "无效的AppID参数")
        try:
            biz = json.loads(params.get("biz_content") or "{}")
        except ValueError:
            return _err("40002", "Invalid Arguments", "isv.invalid-biz-content", "biz_content 非法")
        handler = {"alipay.trade.precreate": self._precreate, "alipay.trade.query": self._query,
                   "alipay.trade.close": self._close}.get(method)
        if handler is None:
            return _err("40004", "Business Failed", "isv.invalid-method", "不存在的方法名")
        with self._lock:
            return handler(biz, params)

    def _precreate(self, biz: dict, params: dict) -> dict:
        no, subject = biz.get("out_trade_no"), biz.get("subject")
        try:
            amount = Decimal(str(biz.get("total_amount")))
            ok = amount.is_finite() and Decimal("0.01") <= amount <= Decimal("100000000") \
                and amount == amount.quantize(Decimal("0.01"))
        except InvalidOperation:
            ok = False
        if not no or not subject or not ok:
            return _err("40004", "Business Failed", "ACQ.INVALID_PARAMETER", "参数无效")
        amount = amount.quantize(Decimal("0.01"))
        trade = self.trades.get(no)
        if trade:
            if trade["status"] in PAID:
                return _err("40004", "Business Failed", "ACQ.TRADE_HAS_SUCCESS", "交易已被支付")
            if trade["status"] == "TRADE_CLOSED":
                return _err("40004", "Business Failed", "ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
            if trade["total_amount"] != amount:
                return _err("40004", "Business Failed", "ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
        else:
            trade = self.trades[no] = {
                "out_trade_no": no, "total_amount": amount, "subject": subject,
                "notify_url": params.get("notify_url", ""), "status": None, "trade_no": None,
                "qr_code": "https://qr.alipay.com/bax0" + secrets.token_hex(12),
                "created": _now(), "timeout_express": biz.get("timeout_express")}
        return {"code": "10000", "msg": "Success", "out_trade_no": no, "qr_code": trade["qr_code"]}

    def _find(self, biz: dict) -> dict | None:
        if biz.get("out_trade_no"):
            return self.trades.get(biz["out_trade_no"])
        return next((t for t in self.trades.values()
                     if t["trade_no"] and t["trade_no"] == biz.get("trade_no")), None)

    def _query(self, biz: dict, params: dict) -> dict:
        trade = self._find(biz)
        if not trade or not trade["status"]:  # precreated but never scanned
            return _err("40004", "Business Failed", "ACQ.TRADE_NOT_EXIST", "交易不存在")
        amount = str(trade["total_amount"])
        body = {"code": "10000", "msg": "Success", "out_trade_no": trade["out_trade_no"],
                "trade_no": trade["trade_no"], "trade_status": trade["status"],
                "total_amount": amount, "buyer_logon_id": "159****5620",
                "buyer_user_id": "2088102177846880"}
        if trade["status"] in PAID:
            body.update(buyer_pay_amount=amount, receipt_amount=amount, invoice_amount=amount,
                        point_amount="0.00", send_pay_date=trade.get("gmt_payment"))
        return body

    def _close(self, biz: dict, params: dict) -> dict:
        trade = self._find(biz)
        if not trade:
            return _err("40004", "Business Failed", "ACQ.TRADE_NOT_EXIST", "交易不存在")
        if trade["status"] in PAID:
            return _err("40004", "Business Failed", "ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        trade["status"] = "TRADE_CLOSED"
        trade["trade_no"] = trade["trade_no"] or self._new_trade_no()
        return {"code": "10000", "msg": "Success", "out_trade_no": trade["out_trade_no"],
                "trade_no": trade["trade_no"]}


def _err(code: str, msg: str, sub_code: str, sub_msg: str) -> dict:
    return {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg}

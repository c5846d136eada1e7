"""A signed-in visitor over real HTTP: a requests session that keeps its
cookies and sends the CSRF token the pages carry, as a browser would."""
from __future__ import annotations

import re

import requests

_TOKEN = re.compile(r'name="csrf[-_]token" (?:value|content)="([^"]+)"')


class WebUser:
    def __init__(self, base_url: str):
        self.url = base_url.rstrip("/")
        self.http = requests.Session()
        self.token: str | None = None

    # Pages -----------------------------------------------------------------
    def get(self, path: str, **kw) -> requests.Response:
        response = self.http.get(self.url + path, timeout=30, **kw)
        found = _TOKEN.search(response.text) if "text/html" in response.headers.get("content-type", "") else None
        if found:
            self.token = found.group(1)
        return response

    def post_form(self, path: str, data: dict, *, page: str | None = None, csrf: bool = True,
                  **kw) -> requests.Response:
        """POST a form the way its page would: first GET `page` (default:
        the same path) for a fresh CSRF token."""
        data = dict(data)
        if csrf:
            self.get(page or path)
            data.setdefault("csrf_token", self.token)
        return self.http.post(self.url + path, data=data, timeout=30, allow_redirects=kw.pop("follow", True), **kw)

    # JSON calls from a signed-in page -------------------------------------
    def api(self, method: str, path: str, *, csrf: bool = True, **kw) -> requests.Response:
        headers = kw.pop("headers", {})
        if csrf and method.upper() not in ("GET", "HEAD"):
            if self.token is None:
                self.get("/dashboard/")
            headers.setdefault("X-CSRFToken", self.token)
        return self.http.request(method, self.url + path, headers=headers, timeout=30, **kw)

    # Accounts ---------------------------------------------------------------
    def register(self, email: str, password: str, **extra) -> requests.Response:
        return self.post_form("/register", {"email": email, "password": password,
                                            "confirm": password, **extra})

    def sign_in(self, email: str, password: str) -> requests.Response:
        return self.post_form("/signin", {"email": email, "password": password})

    def sign_out(self) -> requests.Response:
        return self.post_form("/signout", {}, page="/dashboard/")

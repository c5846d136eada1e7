"""Keeping upstream calls off internal addresses (SSRF).

A URL Tollgate connects to (channel base URLs, health checks, balance
queries) must resolve to public addresses only, checked after DNS
resolution, unless the operator allow-lists a network (local models, tests).
The check runs when a channel is saved and again on every new connection,
which connects to the very address it vetted, so DNS rebinding gains
nothing. Redirects are never followed."""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit


class UpstreamBlocked(ValueError):
    """The address is private, loopback, link-local, reserved or otherwise
    not public, and not allow-listed."""


@dataclass(frozen=True)
class Policy:
    allowed: tuple = ()  # ip_network objects

    @classmethod
    def from_setting(cls, value: str | None) -> "Policy":
        networks = []
        for item in (value or "").replace(";", ",").split(","):
            item = item.strip()
            if item:
                networks.append(ipaddress.ip_network(item, strict=False))
        return cls(tuple(networks))

    def allows(self, address: str) -> bool:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if any(ip.version == net.version and ip in net for net in self.allowed):
            return True
        # is_global is False for private, loopback, link-local (cloud
        # metadata at 169.254.169.254), CGNAT, reserved and unspecified.
        return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[tuple]:
    """getaddrinfo, which also reads 2130706433 and 0x7f000001 as 127.0.0.1."""
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UpstreamBlocked(f"the host {host!r} does not resolve") from exc


def allowed_addresses(host: str, port: int, policy: Policy) -> list[tuple]:
    infos = resolve(host, port)
    allowed = [info for info in infos if policy.allows(info[4][0])]
    if not allowed:
        raise UpstreamBlocked(f"the host {host!r} resolves to a private or reserved address; "
                              "allow-list its network in UPSTREAM_ALLOWED_NETWORKS if that is intended")
    return allowed


def check_url(url: str, policy: Policy, *, unresolved_ok: bool = True) -> None:
    """Raise UpstreamBlocked unless `url` is http(s) to allowed addresses.
    A host that does not resolve right now passes when `unresolved_ok` (a
    channel can be saved while DNS is down); every connection is vetted
    again anyway."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UpstreamBlocked("only http and https upstream URLs are allowed")
    if not parts.hostname:
        raise UpstreamBlocked("the URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UpstreamBlocked("the URL has an invalid port") from exc
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        if unresolved_ok:
            return
        raise UpstreamBlocked(f"the host {parts.hostname!r} does not resolve") from exc
    if not any(policy.allows(info[4][0]) for info in infos):
        raise UpstreamBlocked(f"the host {parts.hostname!r} resolves to a private or reserved address; "
                              "allow-list its network in UPSTREAM_ALLOWED_NETWORKS if that is intended")

"""Which URLs a fetch may request: http(s) only, and by default only public addresses.

A URL given to `fetch` (or found in a feed, or a redirect's `Location`) must not let whoever
wrote it make the server probe its own network: its host is resolved and every address it
resolves to must be global (not loopback, link-local, private, shared, reserved or multicast)
before any connection is opened. The connected socket's peer address is checked once more
(`check_peer`), so a name that resolves differently the second time (DNS rebinding) cannot
slip through.

`IM_FETCH_ALLOW_PRIVATE` lifts the rule for intranet sources: `true` allows every address, and a
comma-separated list of addresses and networks (`10.1.0.0/16,192.168.5.7`) allows only those.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https")
PRIVATE_SETTING = "IM_FETCH_ALLOW_PRIVATE"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


class UnsafeURL(ValueError):
    """The URL may not be requested; the message says why, in an operator's words."""


@dataclass(frozen=True)
class PrivateAccess:
    """Which non-public addresses may be fetched: none (the default), all, or some networks."""

    everything: bool = False
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, text: str) -> PrivateAccess:
        """The setting's value: true/false, or addresses and networks separated by commas;
        raises ValueError naming the part that is neither."""
        value = text.strip().lower()
        if value in _TRUE:
            return cls(everything=True)
        if value in _FALSE:
            return cls()
        networks: list[IPNetwork] = []
        for part in value.split(","):
            if not part.strip():
                continue
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError as exc:
                raise ValueError(
                    f"{PRIVATE_SETTING}={text!r}: {part.strip()!r} is neither true/false nor an "
                    f"address or network such as 10.1.0.0/16") from exc
        return cls(networks=tuple(networks))

    def permits(self, address: IPAddress) -> bool:
        """True when `address` may be connected to: public, or allowed by the setting."""
        if is_public(address) or self.everything:
            return True
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self.networks
                   if network.version == address.version)


def _refusal(address: IPAddress, host: str | None) -> str:
    where = f"host '{host}' resolves to {address}" if host else f"the connection went to {address}"
    return (f"{where}, a loopback, link-local or private network address, which is not "
            f"fetched (set {PRIVATE_SETTING}=true, or to the addresses allowed, for intranet "
            f"sources)")


def check_url(url: str) -> tuple[str, int]:
    """(host, port) of an http(s) URL with a host; raises UnsafeURL for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(f"is not a valid URL ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"'{scheme}:'" if scheme else "no scheme"
        raise UnsafeURL(f"has {shown}; only http:// and https:// URLs are fetched")
    if not parts.hostname:
        raise UnsafeURL("has no host name")
    if parts.username or parts.password:
        raise UnsafeURL("carries a user name or password; give the URL without them")
    return parts.hostname, port or (443 if scheme == "https" else 80)


def is_public(address: IPAddress) -> bool:
    """True for an address on the public internet (IPv4-mapped IPv6 judged as its IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to; raises UnsafeURL when it resolves to none."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(f"host '{host}' could not be resolved ({exc})") from exc
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeURL(f"host '{host}' resolves to no address")
    return addresses


def check_destination(url: str, access: PrivateAccess) -> None:
    """Refuse `url` before any connection unless it is http(s) and its addresses permitted.

    Every address the host resolves to must be permitted: a name with one public and one
    private address is refused, since the connection could go to either.
    """
    host, port = check_url(url)
    if access.everything:
        return
    for address in resolve(host, port):
        if not access.permits(address):
            raise UnsafeURL(_refusal(address, host))


def check_peer(sock: socket.socket, access: PrivateAccess) -> None:
    """Refuse a connected socket whose peer is not permitted (raises UnsafeURL)."""
    if access.everything:
        return
    peer = sock.getpeername()[0]
    address = ipaddress.ip_address(str(peer).split("%", 1)[0])
    if not access.permits(address):
        raise UnsafeURL(_refusal(address, None))

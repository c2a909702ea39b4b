"""Where a webhook may be sent. An endpoint URL is a request this service makes on an integrator's word, so
one naming this machine, the private network or a cloud metadata service (169.254.169.254) is refused, when
it is saved and again before every delivery: a name may resolve elsewhere by then (DNS rebinding). The
delivery then goes to the very address that was checked."""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
RESOLVE_TIMEOUT_SECONDS = 5.0


class UrlRefused(Exception):
    """The URL is not one a webhook may be sent to; the message says why, for the integrator."""


@dataclass(frozen=True)
class Target:
    url: httpx.URL
    address: IPAddress

    @property
    def pinned_url(self) -> httpx.URL:
        """The URL with its host replaced by the address checked, so the request cannot go elsewhere."""
        return self.url.copy_with(host=str(self.address))

    @property
    def host_header(self) -> str:
        return self.url.netloc.decode("ascii")


def parse(url: str, *, allow_private: bool) -> httpx.URL:
    """The URL, if its form is one a webhook may be sent to: http(s) with a host; https unless private
    addresses are allowed (development)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError, UnicodeError) as error:
        raise UrlRefused(f"Not a valid URL: {error}.") from None
    schemes = ("http", "https") if allow_private else ("https",)
    if parsed.scheme not in schemes:
        raise UrlRefused(f"The URL must start with {' or '.join(f'{scheme}://' for scheme in schemes)}.")
    if not parsed.host:
        raise UrlRefused("The URL has no host.")
    return parsed


def is_public(address: IPAddress) -> bool:
    """An address on the public internet, including any IPv4 address an IPv6 one carries inside it."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
        if any(inner is not None and not is_public(inner) for inner in embedded):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


async def resolve(url: httpx.URL, *, allow_private: bool) -> Target:
    """The address to send to. Every address the name resolves to must be public: one private address
    among them would let the name's owner choose this service's target."""
    port = url.port or (443 if url.scheme == "https" else 80)
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
            found = await loop.getaddrinfo(url.host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError, TimeoutError):
        raise UrlRefused(f"The host {url.host!r} cannot be resolved.") from None
    # An IPv6 link-local answer carries its interface (`fe80::1%eth0`); the address is what is judged.
    addresses = [ipaddress.ip_address(str(info[4][0]).partition("%")[0]) for info in found]
    if not addresses:
        raise UrlRefused(f"The host {url.host!r} cannot be resolved.")
    if not allow_private:
        refused = sorted({str(address) for address in addresses if not is_public(address)})
        if refused:
            raise UrlRefused(
                f"The host {url.host!r} resolves to {', '.join(refused)}: private, loopback, link-local and "
                "other non-public addresses are refused."
            )
    return Target(url, addresses[0])


async def check(url: str, *, allow_private: bool) -> Target:
    return await resolve(parse(url, allow_private=allow_private), allow_private=allow_private)

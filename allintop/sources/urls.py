"""Reading a server URL as a user types it.

`127.0.0.1:9090` means http://127.0.0.1:9090, as in a browser. Credentials written
into a URL (`http://user:pass@host`) are taken out of it, to be sent as basic auth:
the URL itself is shown in the header, in errors and in screenshots, and a secret
must never be.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit


@dataclass(frozen=True, slots=True)
class ServerURL:
    url: str
    """The URL without credentials, with a scheme."""
    credentials: tuple[str, str] | None = None
    """(user, password) found in the URL."""
    assumed_scheme: bool = False
    """True when http:// was added."""


def split_url(text: str) -> ServerURL:
    """Add http:// to a URL without a scheme and take credentials out of it.

    Never raises: a URL that cannot be read is returned as it is, for the client to
    report (without echoing it, as it may carry a password).
    """
    text = text.strip()
    assumed = "://" not in text
    if assumed:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        user, password, host = parts.username, parts.password, parts.hostname
        port = parts.port
    except ValueError:
        return ServerURL(text, None, assumed)
    if user is None and password is None:
        return ServerURL(text, None, assumed)
    netloc = host or ""
    if ":" in netloc:  # an IPv6 address
        netloc = f"[{netloc}]"
    if port is not None:
        netloc += f":{port}"
    bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return ServerURL(bare, (unquote(user or ""), unquote(password or "")), assumed)


#: The schemes a server is reached with.
SCHEMES = ("http", "https")


def url_problem(url: str) -> str | None:
    """What stops `url` (as split_url made it) from naming a server, said without
    the URL itself (it may carry a password); None when it names one."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # "Port out of range 0-65535", an unclosed [ of IPv6
        return f"the URL cannot be read: {str(exc).lower()}"
    if parts.scheme not in SCHEMES:
        return f"a URL of scheme {parts.scheme!r}: allintop speaks http and https"
    if not parts.hostname:
        return "the URL names no host"
    if port == 0:
        return "the URL's port is 0"
    return None

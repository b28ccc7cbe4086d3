"""The `datasource:` and `datasources:` sections: URLs, headers, TLS files and auth by
reference. Secrets never live in the file: auth names an environment variable or a
file, read when the secret is used; inline secrets are refused."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Literal
from urllib.parse import urlsplit

from yaml.nodes import MappingNode, Node, ScalarNode

from allintop.dashboard.datasource import DEFAULT_TIMEOUT, Auth, Datasource, no_headers
from allintop.dashboard.panels_yaml.nodes import (
    EXAMPLES,
    as_text,
    boolean,
    duration,
    fail,
    file_at,
    key_path,
    mapping,
    nonempty_text,
    optional,
    positive_duration,
)

_DATASOURCE_KEYS = (
    "url",
    "timeout",
    "headers",
    "auth",
    "ca_file",
    "cert_file",
    "key_file",
    "insecure",
    "alertmanager",
    "partial_response",
    "dedup",
    "scrape_interval",
)
_NAMED_DATASOURCE_KEYS = (*_DATASOURCE_KEYS, "default")
_AUTH_KEYS = ("kind", "username", "token_env", "token_file", "password_env", "password_file")


# Keys people use for an inline secret; refused with a pointer to the _env/_file keys.
_INLINE_SECRETS = ("password", "token", "secret", "credentials", "bearer_token", "api_key")
_SECRET_HINT = (
    "use token_env / token_file (or username: with password_env / password_file) to name "
    "the environment variable or file that holds the secret, e.g. token_env: PROM_TOKEN"
)


def read_datasources(
    fields: Mapping[str, Node], base_dir: Path, prefix: str = ""
) -> tuple[Datasource, dict[str, Datasource]]:
    """The default datasource and every named one (none: only `datasource:`, or none).
    `prefix` is where `fields` sit in the file (a context of the user config)."""
    if "datasources" in fields and "datasource" in fields:
        fail(
            fields["datasource"],
            key_path(prefix, "datasource"),
            "give either datasource: (one) or datasources: (several, by name), not both",
            "move it under datasources: with a name, and mark it default: true",
        )
    one = optional(fields, "datasource", prefix, _datasource_reader(base_dir))
    if "datasources" not in fields:
        return one or Datasource(), {}
    node = fields["datasources"]
    section = key_path(prefix, "datasources")
    entries = mapping(node, section, (), what="datasource")
    if not entries:
        fail(node, section, "no datasources", "e.g. datasources: {prod: {url: ...}}")
    named: dict[str, Datasource] = {}
    defaults: list[str] = []
    for name, entry in entries.items():
        path = key_path(section, name)
        if not NAME.fullmatch(name):
            fail(entry, path, f'"{name}" cannot be a datasource name', NAME_HINT)
        source, is_default = _named_datasource(entry, path, base_dir)
        named[name] = replace(source, name=name)
        if is_default:
            defaults.append(name)
    if len(defaults) > 1:
        fail(node, section, f"several defaults: {', '.join(defaults)}", "mark one")
    return named[defaults[0] if defaults else next(iter(named))], named


NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
NAME_HINT = "use letters, digits, _, - and ."


def _named_datasource(node: Node, path: str, base_dir: Path) -> tuple[Datasource, bool]:
    """One entry of datasources: (the datasource, whether it says default: true)."""
    if isinstance(node, ScalarNode):
        return Datasource(url=_url(node, path)), False
    fields = mapping(node, path, _NAMED_DATASOURCE_KEYS)
    is_default = bool(optional(fields, "default", path, boolean))
    return _datasource_reader(base_dir, _NAMED_DATASOURCE_KEYS)(node, path), is_default


def _datasource_reader(
    base_dir: Path, allowed: Sequence[str] = _DATASOURCE_KEYS
) -> Callable[[Node, str], Datasource]:
    def read(node: Node, path: str) -> Datasource:
        if isinstance(node, ScalarNode):  # shorthand: datasource: http://host:9090
            return Datasource(url=_url(node, path))
        _reject_inline_secrets(node, path)
        fields = mapping(node, path, allowed)
        timeout = optional(fields, "timeout", path, duration)
        if timeout is not None and timeout <= 0:
            fail(fields["timeout"], key_path(path, "timeout"), "must be more than 0", "e.g. 10s")
        return Datasource(
            url=optional(fields, "url", path, _url),
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
            headers=optional(fields, "headers", path, _headers) or no_headers(),
            auth=optional(fields, "auth", path, lambda n, p: _auth(n, p, base_dir)),
            ca_file=optional(fields, "ca_file", path, lambda n, p: _tls_file(n, p, base_dir)),
            cert_file=optional(fields, "cert_file", path, lambda n, p: _tls_file(n, p, base_dir)),
            key_file=optional(fields, "key_file", path, lambda n, p: _tls_file(n, p, base_dir)),
            insecure=bool(optional(fields, "insecure", path, boolean)),
            alertmanager=optional(fields, "alertmanager", path, _url),
            partial_response=optional(fields, "partial_response", path, boolean),
            dedup=optional(fields, "dedup", path, boolean),
            scrape_interval=optional(fields, "scrape_interval", path, positive_duration),
        )

    return read


def _url(node: Node, path: str) -> str:
    # The URL itself is never repeated in a message: it might carry a password.
    text = nonempty_text(node, path).strip()
    try:
        parts = urlsplit(text)
        has_credentials = parts.username is not None or parts.password is not None
    except ValueError:
        fail(node, path, "not a valid URL", "e.g. http://localhost:9090")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        fail(node, path, "expected an http:// or https:// URL", "e.g. http://localhost:9090")
    if has_credentials:
        fail(node, path, "the URL carries credentials (user:password@)", _SECRET_HINT)
    return text


def _headers(node: Node, path: str) -> Mapping[str, str]:
    fields = mapping(node, path, (), what="header")
    headers: dict[str, str] = {}
    for name, value in fields.items():
        if name.lower() in ("authorization", "proxy-authorization"):
            fail(value, key_path(path, name), "a secret header inline in the file", _SECRET_HINT)
        headers[name] = as_text(value, key_path(path, name))
    return MappingProxyType(headers)


def _reject_inline_secrets(node: Node, path: str) -> None:
    if not isinstance(node, MappingNode):
        return  # the type error is reported by mapping
    for key_node, _ in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value in _INLINE_SECRETS:
            fail(key_node, path, f'inline secret "{key_node.value}" is not allowed', _SECRET_HINT)


def _tls_file(node: Node, path: str, base_dir: Path) -> Path:
    tls_file = file_at(node, path, base_dir)
    if not tls_file.is_file():
        fail(node, path, f"no such file: {tls_file}", "point it at a PEM file")
    return tls_file


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _auth(node: Node, path: str, base_dir: Path) -> Auth:
    _reject_inline_secrets(node, path)
    fields = mapping(node, path, _AUTH_KEYS)
    written = optional(fields, "kind", path, as_text)
    if written not in (None, "bearer", "basic"):
        fail(
            fields["kind"],
            key_path(path, "kind"),
            f'unknown auth kind "{written}"',
            "bearer or basic",
        )
    # Without a kind, a username or password means basic auth.
    inferred = any(key in fields for key in ("username", "password_env", "password_file"))
    basic = written == "basic" or (written is None and inferred)
    kind: Literal["bearer", "basic"] = "basic" if basic else "bearer"
    prefix, other = ("token", "password") if kind == "bearer" else ("password", "token")
    for key in (f"{other}_env", f"{other}_file"):
        if key in fields:
            fail(fields[key], path, f'"{key}" does not belong to {kind} auth', _SECRET_HINT)
    username = optional(fields, "username", path, nonempty_text)
    if kind == "bearer" and username is not None:
        fail(fields["username"], path, "bearer auth takes no username", "use kind: basic")
    if kind == "basic" and username is None:
        fail(node, path, 'missing key "username"', EXAMPLES["username"])
    secret_env = optional(fields, f"{prefix}_env", path, _env_name)
    secret_file = optional(fields, f"{prefix}_file", path, lambda n, p: file_at(n, p, base_dir))
    if (secret_env is None) == (secret_file is None):
        fail(node, path, f"give exactly one of {prefix}_env and {prefix}_file", _SECRET_HINT)
    return Auth(kind=kind, username=username, secret_env=secret_env, secret_file=secret_file)


def _env_name(node: Node, path: str) -> str:
    name = nonempty_text(node, path)
    if not _ENV_NAME.fullmatch(name):
        # Not echoed: a secret pasted here by mistake must not end up in a message.
        fail(node, path, "must name an environment variable (letters, digits, _)", _SECRET_HINT)
    return name

"""The Prometheus protobuf exposition, written by hand: the few fields a scrape needs.

Prometheus ingests native histograms only from this format (2.x, with
`--enable-feature=native-histograms`), and asks for it first in its Accept header
when it can take them. The backend answers such a scrape with every family of its
registry here, and every other scrape with the text format as before.

The format: a stream of `io.prometheus.client.MetricFamily` messages, each prefixed
by its length as a varint ("delimited"). Only the fields written here are encoded
(field numbers from client_model's metrics.proto): names, help, type, labels, the
counter / gauge / untyped value, a classic histogram's count, sum and cumulative
buckets, and a native histogram's schema, zero bucket and positive spans with
their count deltas. No protobuf library: the wire format of these few types is a
handful of lines, and the demo needs no new dependency for it.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

#: What the backend answers a protobuf scrape with.
CONTENT_TYPE = (
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
)

# MetricType
COUNTER, GAUGE, UNTYPED, HISTOGRAM = 0, 1, 3, 4

# Wire types
_VARINT, _FIXED64, _LENGTH = 0, 1, 2


def wants_protobuf(accept: str) -> bool:
    """Whether an Accept header takes the delimited MetricFamily stream (q > 0)."""
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if media.lower() != "application/vnd.google.protobuf":
            continue
        found = dict(p.split("=", 1) for p in params if "=" in p)
        if found.get("proto") != "io.prometheus.client.MetricFamily":
            continue
        if found.get("encoding") != "delimited":
            continue
        try:
            quality = float(found.get("q", "1"))
        except ValueError:
            continue
        if quality > 0:
            return True
    return False


# --- the wire format --------------------------------------------------------------------


def varint(n: int) -> bytes:
    """An unsigned integer, seven bits a byte, lowest first."""
    if n < 0:
        raise ValueError("varint of a negative number: zigzag it first")
    out = bytearray()
    while True:
        low = n & 0x7F
        n >>= 7
        if n:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def zigzag(n: int) -> int:
    """sint32 / sint64: 0, -1, 1, -2, ... as 0, 1, 2, 3, ..."""
    return n * 2 if n >= 0 else -n * 2 - 1


def _key(field: int, wire: int) -> bytes:
    return varint(field << 3 | wire)


def double(field: int, value: float) -> bytes:
    return _key(field, _FIXED64) + struct.pack("<d", value)


def uint(field: int, value: int) -> bytes:
    return _key(field, _VARINT) + varint(value)


def sint(field: int, value: int) -> bytes:
    return _key(field, _VARINT) + varint(zigzag(value))


def message(field: int, data: bytes) -> bytes:
    return _key(field, _LENGTH) + varint(len(data)) + data


def string(field: int, text: str) -> bytes:
    return message(field, text.encode())


def delimited(messages: Iterable[bytes]) -> bytes:
    """Messages each prefixed by its length: the exposition's stream."""
    return b"".join(varint(len(m)) + m for m in messages)


# --- the messages -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Native:
    """A native histogram with integer counts: positive buckets by index (bucket i
    covers (base^(i-1), base^i] with base 2^(2^-schema)), and the zero bucket."""

    schema: int
    zero_threshold: float
    zero_count: int
    buckets: Mapping[int, int]


def family(name: str, help_: str, kind: int, metrics: Sequence[bytes]) -> bytes:
    """A MetricFamily: name 1, help 2, type 3, metric 4."""
    head = string(1, name) + string(2, help_) + uint(3, kind)
    return head + b"".join(message(4, m) for m in metrics)


def metric(labels: Mapping[str, str], body: bytes) -> bytes:
    """A Metric: its label pairs (field 1, each name 1 and value 2), then `body`."""
    pairs = b"".join(message(1, string(1, k) + string(2, v)) for k, v in labels.items())
    return pairs + body


def value(kind: int, number: float) -> bytes:
    """The value of a counter (Metric field 3), gauge (2) or untyped (5): its field 1."""
    field = {COUNTER: 3, GAUGE: 2, UNTYPED: 5}[kind]
    return message(field, double(1, number))


def _count(field: int, float_field: int, number: float) -> bytes:
    # Integer counts travel as uint64; a fractional one as the _float variant.
    if float(number).is_integer() and number >= 0:
        return uint(field, int(number))
    return double(float_field, number)


def histogram(
    count: float,
    total: float,
    buckets: Sequence[tuple[float, float]] = (),
    native: Native | None = None,
) -> bytes:
    """A Metric's histogram (field 7): count 1 (or 4), sum 2, classic buckets 3 (each
    cumulative_count 1 or 4, upper_bound 2; +Inf left out, as the count says it), and
    for a native one schema 5, zero_threshold 6, zero_count 7, positive spans 12
    (offset 1, length 2) and deltas 13."""
    body = _count(1, 4, count) + double(2, total)
    for upper, cumulative in buckets:
        if upper != float("inf"):
            body += message(3, _count(1, 4, cumulative) + double(2, upper))
    if native is not None:
        body += _native(native)
    return message(7, body)


def _native(native: Native) -> bytes:
    body = sint(5, native.schema) + double(6, native.zero_threshold)
    body += uint(7, native.zero_count)
    indexes = sorted(i for i, n in native.buckets.items() if n)
    if not indexes:
        # A no-op span marks it native when nothing was observed yet.
        return body + message(12, sint(1, 0) + uint(2, 0))
    spans: list[tuple[int, int]] = []  # (offset from the previous span's end, length)
    previous: int | None = None
    for index in indexes:
        if previous is not None and index == previous + 1:
            offset, length = spans[-1]
            spans[-1] = (offset, length + 1)
        else:
            spans.append((index if previous is None else index - previous - 1, 1))
        previous = index
    for offset, length in spans:
        body += message(12, sint(1, offset) + uint(2, length))
    last = 0
    for index in indexes:
        body += sint(13, native.buckets[index] - last)
        last = native.buckets[index]
    return body

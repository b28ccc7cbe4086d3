"""Grafana's unit ids ("percentunit", "decbytes", "dtdurations", "reqps", ...) and how
each is shown: a table, read by allintop.values.units.format_value.

Ids that are also allintop units ("ms", "s", "bytes", "Bps", "bps") are not here:
allintop's own formatting of them stands (it means the same quantity; Grafana's "Bps"
scales in powers of 1000, allintop's in 1024, with KiB/s, MiB/s saying so).
Pure data, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

#: How a value of the unit becomes text.
#: plain: the number, then `symbol` (k/M/G from 10,000 up, as allintop's plain numbers);
#: percent: as allintop's "%", after multiplying by `scale`;
#: si / iec: `symbol` with decimal (k, M, G) or binary (Ki, Mi, Gi) prefixes, from
#: the id's own `rung` up; time: a duration that moves up to min, hour, day...;
#: duration / hms / dhms: a duration as words and a clock ("2 days 03:04:05");
#: bool: `symbol` is "true text|false text"; date: an epoch time as ISO date and time;
#: currency: `symbol` before the number; hex, sci: hexadecimal, scientific notation.
Kind = Literal[
    "plain", "percent", "si", "iec", "time", "duration", "hms", "dhms", "bool", "date",
    "currency", "hex", "sci",
]  # fmt: skip


@dataclass(frozen=True)
class UnitId:
    """How one Grafana unit id is shown."""

    kind: Kind
    symbol: str = ""
    rung: int = 0
    """The id's own prefix on its ladder: kbytes is 1 (KiB), mwatt -1 (mW)."""
    scale: float = 1.0
    """What one of the id's values is in the shown unit: percentunit's 0.5 is 50 %."""


SI_PREFIXES = ("n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y")
SI_BASE = 3  # the index of "" in SI_PREFIXES
IEC_PREFIXES = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi")

#: The time ladder: each rung's name and its size in seconds.
TIME_RUNGS: tuple[tuple[str, float], ...] = (
    ("ns", 1e-9),
    ("µs", 1e-6),
    ("ms", 1e-3),
    ("s", 1.0),
    ("min", 60.0),
    ("hour", 3600.0),
    ("day", 86400.0),
    ("week", 604800.0),
    ("year", 31536000.0),
)


def _plain(**symbols: str) -> dict[str, UnitId]:
    return {name: UnitId("plain", symbol) for name, symbol in symbols.items()}


def _si(symbol: str, **rungs: int) -> dict[str, UnitId]:
    return {name: UnitId("si", symbol, rung) for name, rung in rungs.items()}


def _iec(symbol: str, **rungs: int) -> dict[str, UnitId]:
    return {name: UnitId("iec", symbol, rung) for name, rung in rungs.items()}


_CURRENCIES = {"USD": "$", "GBP": "£", "EUR": "€", "JPY": "¥", "RUB": "₽", "UAH": "₴"}
_CURRENCIES |= {"BRL": "R$", "ZAR": "R", "INR": "₹", "KRW": "₩", "BTC": "฿", "CHF": "CHF "}
_CURRENCIES |= {"DKK": "kr ", "ISK": "kr ", "NOK": "kr ", "SEK": "kr ", "CZK": "czk "}
_CURRENCIES |= {"PLN": "PLN ", "mBTC": "mBTC ", "μBTC": "μBTC "}

_TABLE: dict[str, UnitId] = {
    # Misc
    "none": UnitId("plain"),
    "short": UnitId("plain"),
    "string": UnitId("plain"),
    "locale": UnitId("plain"),
    "percent": UnitId("percent"),
    "percentunit": UnitId("percent", scale=100.0),
    "hex": UnitId("hex"),
    "hex0x": UnitId("hex", "0x"),
    "sci": UnitId("sci"),
    **_plain(humidity="%H", dB="dB", pixel="px", ppm="ppm", conppb="ppb"),
    # Angle, acceleration, temperature, velocity, flow, volume, area
    **_plain(degree="°", radian="rad", grad="grad", arcmin="arcmin", arcsec="arcsec"),
    **_plain(accMS2="m/sec²", accFS2="f/sec²", accG="g"),
    **_plain(celsius="°C", fahrenheit="°F", kelvin="K"),
    **_plain(velocityms="m/s", velocitykmh="km/h", velocitymph="mph", velocityknot="kn"),
    **_plain(flowgpm="gpm", flowcms="cms", flowcfs="cfs", flowcfm="cfm", litreh="L/h"),
    **_plain(flowlpm="L/min", flowmlpm="mL/min", lux="lux", m3="m³", Nm3="Nm³", dm3="dm³"),
    **_plain(gallons="gal", areaM2="m²", areaF2="ft²", areaMI2="mi²", Wm2="W/m²"),
    **_plain(rotrpm="rpm", rotrads="rad/s", rotdegs="°/s", lengthft="ft", lengthmi="mi"),
    **_plain(pressurehpa="hPa", pressurekpa="kPa", pressurehg='"Hg', masst="t"),
    # Throughput: counts per second or minute
    **_plain(cps="c/s", ops="ops/s", reqps="req/s", rps="rd/s", wps="wr/s", iops="io/s"),
    **_plain(eps="evt/s", mps="msg/s", recps="rec/s", rowsps="rows/s"),
    **_plain(cpm="c/min", opm="ops/min", rpm="rd/min", wpm="wr/min"),
    # Data: IEC (binary) and metric (decimal) sizes
    **_iec("b", bits=0),
    **_iec("B", kbytes=1, mbytes=2, gbytes=3, tbytes=4, pbytes=5),
    **_si("b", decbits=0),
    **_si("B", decbytes=0, deckbytes=1, decmbytes=2, decgbytes=3, dectbytes=4, decpbytes=5),
    # Data rates
    **_si("pps", pps=0),
    **_si("B/s", KBs=1, MBs=2, GBs=3, TBs=4, PBs=5),
    **_si("bit/s", Kbits=1, Mbits=2, Gbits=3, Tbits=4, Pbits=5),
    **_iec("B/s", binBps=0, KiBs=1, MiBs=2, GiBs=3, TiBs=4, PiBs=5),
    **_iec("bit/s", binbps=0, Kibits=1, Mibits=2, Gibits=3, Tibits=4, Pibits=5),
    # Computation, hash rate, energy, mass, length, pressure, volume, radiation
    **_si("FLOP/s", flops=0, mflops=2, gflops=3, tflops=4, pflops=5, eflops=6),
    **_si("H/s", Hs=0, KHs=1, MHs=2, GHs=3, THs=4, PHs=5, EHs=6),
    **_si("W", watt=0, kwatt=1, megwatt=2, gwatt=3, mwatt=-1),
    **_si("VA", voltamp=0, kvoltamp=1),
    **_si("var", voltampreact=0, kvoltampreact=1),
    **_si("Wh", watth=0, kwatth=1),
    **_si("Ah", amph=0, kamph=1, mamph=-1),
    **_si("A", amp=0, kamp=1, mamp=-1),
    **_si("V", volt=0, kvolt=1, mvolt=-1),
    **_si("Ω", ohm=0, kohm=1, Mohm=2),
    **_si("F", farad=0, µfarad=-2, nfarad=-3, pfarad=-4),
    **_si("H", henry=0, mhenry=-1, µhenry=-2),
    **_si("J", joule=0),
    **_si("eV", ev=0),
    **_si("dBm", dBm=0),
    **_si("Lm", lumens=0),
    **_si("Nm", forceNm=0, forcekNm=1),
    **_si("N", forceN=0, forcekN=1),
    **_si("g", massmg=-1, massg=0, masskg=1),
    **_si("m", lengthmm=-1, lengthm=0, lengthkm=1),
    **_si("bar", pressurembar=-1, pressurebar=0, pressurekbar=1),
    **_si("Pa", pressurepa=0),
    **_si("L", mlitre=-1, litre=0),
    **_si("Bq", radbq=0),
    **_si("Sv", radsv=0, radmsv=-1, radusv=-2),
    **_si("Hz", hertz=0, rothz=0),
    # Time
    "ns": UnitId("time", "ns"),
    "µs": UnitId("time", "µs"),
    "us": UnitId("time", "µs"),
    "m": UnitId("time", "min"),
    "h": UnitId("time", "hour"),
    "d": UnitId("time", "day"),
    "timeticks": UnitId("time", "s", scale=0.01),
    "dtdurations": UnitId("duration"),
    "dtdurationms": UnitId("duration", scale=0.001),
    "dthms": UnitId("hms"),
    "dtdhms": UnitId("dhms"),
    "clocks": UnitId("hms"),
    "clockms": UnitId("hms", scale=0.001),
    # Boolean
    "bool": UnitId("bool", "True|False"),
    "bool_yes_no": UnitId("bool", "Yes|No"),
    "bool_on_off": UnitId("bool", "On|Off"),
    # Date and time: a value is an epoch time
    "dateTimeAsIso": UnitId("date"),
    "dateTimeAsIsoNoDateIfToday": UnitId("date"),
    "dateTimeAsUS": UnitId("date"),
    "dateTimeAsUSNoDateIfToday": UnitId("date"),
    "dateTimeAsLocal": UnitId("date"),
    "dateTimeAsLocalNoDateIfToday": UnitId("date"),
    "dateTimeAsSystem": UnitId("date"),
    "dateTimeFromNow": UnitId("date"),
    **{f"currency{code}": UnitId("currency", sign) for code, sign in _CURRENCIES.items()},
}

#: Every Grafana unit id allintop shows as Grafana means it, besides its own units.
UNIT_IDS: Mapping[str, UnitId] = MappingProxyType(_TABLE)

#: Ids shown, but not quite as Grafana shows them, and how they are shown instead.
APPROXIMATED: Mapping[str, str] = MappingProxyType(
    {
        "dateTimeAsUS": "shown as an ISO date and time",
        "dateTimeAsUSNoDateIfToday": "shown as an ISO date and time",
        "dateTimeAsIsoNoDateIfToday": "shown with its date, always",
        "dateTimeAsLocalNoDateIfToday": "shown with its date, always",
        "dateTimeFromNow": "shown as an ISO date and time, not as an age",
        "locale": "shown as a plain number",
        "string": "shown as a plain number",
    }
)

#: Grafana's custom units: "suffix:req", "prefix:$", "si:B" (decimal prefixes on B),
#: "count:req" (k/M/G, then the name).
CUSTOM_PREFIXES = ("suffix:", "prefix:", "si:", "count:")


def lookup(unit: str) -> UnitId | None:
    """The Grafana id `unit` names (its custom forms included), or None."""
    known = UNIT_IDS.get(unit)
    if known is not None:
        return known
    kind, _, rest = unit.partition(":")
    if not rest:
        return None
    return {
        "suffix": UnitId("plain", rest),
        "count": UnitId("plain", rest),
        "prefix": UnitId("currency", rest),
        "si": UnitId("si", rest),
    }.get(kind)

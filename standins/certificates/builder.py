"""What the certificate library stand-in's generators share: dates and money, a resident's place, and
the `Library` that numbers and collects the records. The conventions are documented in
standins/certificates/library.py."""

from __future__ import annotations

import functools
import random
import re
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import msgspec

from backend.catalog.files import DEMO_CATALOG_DIR
from backend.catalog.format import CertificateType
from backend.certificates.models import CertificateRecord
from backend.identity.registry import Person

LONG_TERM = date(9999, 12, 31)
"""A long-term (长期) validity as its date field reads; the record's own valid_until is None then."""


DAY = timedelta(days=1)


@functools.cache
def certificate_types() -> dict[str, CertificateType]:
    """The demo catalog's certificate types by code."""
    raw = (DEMO_CATALOG_DIR / "certificate_types.json").read_bytes()
    return {kind.code: kind for kind in msgspec.json.decode(raw, type=list[CertificateType])}


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_on(born: date, day: date) -> int:
    """Completed years of age on `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def between(rng: random.Random, lo: date, hi: date) -> date:
    """A day in [lo, hi] (lo when the range is empty)."""
    return lo + timedelta(days=rng.randrange(max((hi - lo).days, 0) + 1))


def money(cents: int) -> str:
    """Cents as a "1234.56" yuan string."""
    return f"{cents // 100}.{cents % 100:02d}"


_ADDRESS = re.compile(r"^广东省广州市(?P<district>[^区]+区)(?P<street>.+?街道)")


@dataclass(frozen=True)
class Place:
    """Where a household lives, as the names on its certificates need it."""

    district: str  # 6-digit division code
    district_name: str  # 天河区
    street_short: str  # 五山 (of 五山街道)

    @property
    def police(self) -> str:
        """The district branch of the city Public Security Bureau."""
        return f"广州市公安局{self.district_name}分局"

    @property
    def police_station(self) -> str:
        """The street's police station (派出所), which keeps the household register."""
        return f"{self.police}{self.street_short}派出所"


def place_of(person: Person) -> Place:
    """The person's district and street, read from their address (the population writes both names)."""
    match = _ADDRESS.match(person.address)
    district_name, street = (match["district"], match["street"]) if match else (f"{person.region_code[:6]}区", "")
    return Place(person.region_code[:6], district_name, street.removesuffix("街道") or person.region_code[6:])


class Library:
    """Collects records, checks each against its type's fields, and hands out per-type serials."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.records: list[CertificateRecord] = []
        self._serials: dict[str, int] = {}

    def unique(self, key: str, digits: int) -> str:
        """The next of `key`'s numbers: random-looking, never repeated within 10**digits of them."""
        serial = self._serials[key] = self._serials.get(key, 0) + 1
        # 7919 is prime to 10, so serial -> serial * 7919 + offset is a bijection modulo 10**digits;
        # the offset differs per key so that one person's numbers do not all end alike.
        return f"{(serial * 7919 + zlib.crc32(key.encode())) % 10**digits:0{digits}d}"

    def add(
        self,
        type_code: str,
        holder: Person,
        number: str,
        issued_on: date,
        data: dict[str, Any],
        valid_until: date | None = None,
    ) -> None:
        """Record a certificate (none issued after today); dates become ISO strings, LONG_TERM None."""
        kind = certificate_types()[type_code]
        if list(data) != [f.key for f in kind.fields]:  # a mistake here would corrupt every wallet
            raise ValueError(f"{type_code}: fields {list(data)} differ from the catalog's")
        if issued_on > self.today:  # not issued yet: `today` precedes the population's own date
            return
        self.records.append(
            CertificateRecord(
                type_code=type_code,
                number=number,
                holder_id_number=holder.id_number,
                holder_name=holder.name,
                issuer=kind.issuer,
                issued_on=issued_on,
                valid_until=None if valid_until == LONG_TERM else valid_until,
                data={k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()},
            )
        )

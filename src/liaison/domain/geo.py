"""Positions, MGRS grid references, time zones and areas of responsibility.

Coordinates are WGS 84 degrees. GeoJSON writes them longitude first (RFC 7946); `Position`
names them, so the two orders cannot be confused.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

import mgrs
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.validation import explain_validity

MAX_AREA_VERTICES = 10_000
"""Bounds the work one area costs to parse, store and test points against."""

_converter = mgrs.MGRS()
# Grid zone (or polar UPS letter), 100 km square, then 0 to 5 digits each of easting and northing.
_MGRS = re.compile(
    r"(?P<zone>[0-9]{1,2}[C-HJ-NP-X]|[ABYZ])(?P<square>[A-HJ-NP-Z]{2})(?P<digits>(?:[0-9]{2}){0,5})"
)


@dataclass(frozen=True, slots=True)
class Position:
    """A point on the earth, in degrees: latitude north, longitude east."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not -90 <= self.lat <= 90:
            raise ValueError(f"latitude {self.lat} is outside -90 to 90")
        if not -180 <= self.lon <= 180:
            raise ValueError(f"longitude {self.lon} is outside -180 to 180")
        object.__setattr__(self, "lat", float(self.lat))
        object.__setattr__(self, "lon", float(self.lon))


def to_mgrs(position: Position, precision: int = 5) -> str:
    """The grid reference of `position`, spaced as officers write it: "33U UU 91390 17855".

    `precision` is the digits per axis: 5 is 1 m, 4 is 10 m, down to 0 (the 100 km square).
    Beyond 84°N and 80°S the reference is in UPS polar form, e.g. "Z AH 00000 00000".
    """
    if not 0 <= precision <= 5:
        raise ValueError(f"MGRS precision {precision} is outside 0 to 5")
    # Rounded to 1e-7° (about 1 cm) first: within millimetres south of the equator, or west of
    # 3°E where Norway's zone 32V widens, the library writes references it cannot read back.
    lat, lon = round(position.lat, 7), round(position.lon, 7)
    compact = _converter.toMGRS(lat, lon, MGRSPrecision=precision)
    match = _MGRS.fullmatch(compact)
    assert match is not None, compact  # the library writes only what the pattern describes
    digits = match["digits"]
    half = len(digits) // 2
    return " ".join(
        part for part in (match["zone"], match["square"], digits[:half], digits[half:]) if part
    )


def from_mgrs(text: str) -> Position:
    """The centre of the square a grid reference names (as GeographicLib gives it).

    Spaced or not, in any case: "33U UU 91390 17855", "33uuu9139017855".
    """
    compact = "".join(text.split()).upper()
    if _MGRS.fullmatch(compact) is None:
        raise ValueError(f"not an MGRS grid reference {text!r}: expected e.g. 33U UU 91390 17855")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            lat, lon = _converter.toLatLon(compact)
        except mgrs.core.MGRSError:
            raise ValueError(f"not an MGRS grid reference {text!r}: no such grid square") from None
    # The library only warns when the square lies outside the latitude band the reference names.
    # (Before Python 3.14 catch_warnings is process-wide: a warning another thread raises in this
    # instant would be taken for ours. Rare, and it can only refuse a reference, never mislocate.)
    if caught:
        raise ValueError(f"not an MGRS grid reference {text!r}: the square is not in its band")
    return Position(lat, lon)


def parse_time_zone(name: str) -> ZoneInfo:
    """An IANA time zone, such as "Europe/Paris", named in any case."""
    key = _time_zones().get(name.strip().lower())
    if key is None:
        raise ValueError(f"unknown time zone {name!r}: expected an IANA name, e.g. Europe/Brussels")
    return ZoneInfo(key)


@cache
def _time_zones() -> dict[str, str]:
    # The IANA list as the tzdata package ships it: the same on every host, unlike the system's
    # zoneinfo directory (which also holds non-zones such as "localtime").
    names = files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    return {name.lower(): name for name in names}


@dataclass(frozen=True, slots=True, eq=False)
class Area:
    """An area of responsibility: a valid polygon or multipolygon in longitude / latitude."""

    geometry: Any  # a valid shapely Polygon or MultiPolygon

    def covers(self, position: Position) -> bool:
        """Whether `position` lies inside the area or on its boundary."""
        return bool(self.geometry.covers(Point(position.lon, position.lat)))

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """West, south, east, north: for a coarse filter before `covers`."""
        west, south, east, north = self.geometry.bounds
        return (west, south, east, north)

    def to_geojson(self) -> dict[str, Any]:
        """A GeoJSON geometry, exterior rings counter-clockwise as RFC 7946 asks."""
        mapping: dict[str, Any] = shapely.geometry.mapping(shapely.orient_polygons(self.geometry))
        return {"type": mapping["type"], "coordinates": _lists(mapping["coordinates"])}


def parse_area(geojson: object) -> Area:
    """Read a GeoJSON Polygon or MultiPolygon, or a Feature holding one; refuse anything else.

    Areas crossing the antimeridian must be split into a MultiPolygon, as RFC 7946 §3.1.9 says.
    A third (altitude) coordinate is ignored.
    """
    geometry = _geometry_object(geojson)
    coordinates = geometry.get("coordinates")
    budget = _VertexBudget()
    if geometry["type"] == "Polygon":
        shape = _polygon(coordinates, budget)
    else:
        if not isinstance(coordinates, list) or not coordinates:
            raise ValueError("area MultiPolygon must have a non-empty list of polygons")
        shape = MultiPolygon([_polygon(polygon, budget) for polygon in coordinates])
    if shape.is_empty:
        raise ValueError("area is empty")
    if not shape.is_valid:
        raise ValueError(f"area is not a valid polygon: {explain_validity(shape)}")
    return Area(shape)


def _geometry_object(geojson: object) -> dict[str, Any]:
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
        if not isinstance(geojson, dict):
            raise ValueError("area Feature must hold a geometry")
    if not isinstance(geojson, dict):
        raise ValueError("area must be a GeoJSON object")
    kind = geojson.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"area must be a GeoJSON Polygon or MultiPolygon, not {kind!r}")
    return geojson


class _VertexBudget:
    """Counts positions as they are read, so an oversized area is refused before it is built."""

    def __init__(self) -> None:
        self.used = 0

    def spend(self, count: int) -> None:
        self.used += count
        if self.used > MAX_AREA_VERTICES:
            raise ValueError(f"area has more than {MAX_AREA_VERTICES} vertices")


def _polygon(rings: object, budget: _VertexBudget) -> Any:
    if not isinstance(rings, list) or not rings:
        raise ValueError("area polygon must be a non-empty list of linear rings")
    shell, *holes = (_ring(ring, budget) for ring in rings)
    return Polygon(shell, holes)


def _ring(ring: object, budget: _VertexBudget) -> list[tuple[float, float]]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValueError("area ring must be a list of at least four positions")
    budget.spend(len(ring))
    points = [_lon_lat(position) for position in ring]
    if points[0] != points[-1]:
        raise ValueError(f"area ring is not closed: it starts at {points[0]}, ends at {points[-1]}")
    return points


def _lon_lat(position: object) -> tuple[float, float]:
    if (
        not isinstance(position, list | tuple)
        or not 2 <= len(position) <= 3
        or not all(_is_number(value) for value in position)
    ):
        raise ValueError(f"area position {position!r} must be [longitude, latitude]")
    lon, lat = float(position[0]), float(position[1])
    try:
        Position(lat, lon)
    except ValueError as error:
        raise ValueError(f"area position {position!r}: {error}") from None
    return (lon, lat)


def _is_number(value: object) -> bool:
    # A bool is an int to Python, not a coordinate; nor is an int too large to be a float.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _lists(value: Any) -> Any:
    """Shapely's nested tuples as the nested lists that JSON has."""
    return [_lists(item) for item in value] if isinstance(value, tuple | list) else value

"""Positions, MGRS, time zones and areas of responsibility."""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from liaison.domain.geo import (
    MAX_AREA_VERTICES,
    Position,
    from_mgrs,
    parse_area,
    parse_time_zone,
    to_mgrs,
)

latitudes = st.floats(min_value=-90, max_value=90)
longitudes = st.floats(min_value=-180, max_value=180)
positions = st.builds(Position, latitudes, longitudes)
SPACED_MGRS = re.compile(
    r"([0-9]{2}[C-HJ-NP-X]|[ABYZ]) [A-HJ-NP-Z]{2}(?: ([0-9]{1,5}) ([0-9]{1,5}))?"
)


def metres_between(a: Position, b: Position) -> float:
    """Great-circle distance on the mean earth sphere: within 0.6% of the ellipsoid's."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def test_metres_between_measures_what_it_should() -> None:
    one_degree_of_latitude = metres_between(Position(0, 0), Position(1, 0))
    assert one_degree_of_latitude == pytest.approx(111_195, rel=1e-4)
    assert metres_between(Position(90, 0), Position(90, 135)) == pytest.approx(0, abs=1e-6)


# --- positions ---------------------------------------------------------------------------


@pytest.mark.parametrize(("lat", "lon"), [(0, 0), (90, 180), (-90, -180), (51.5, -0.12)])
def test_positions_in_range_are_kept_as_floats(lat: float, lon: float) -> None:
    position = Position(lat, lon)
    assert (position.lat, position.lon) == (lat, lon)
    assert isinstance(position.lat, float)
    assert isinstance(position.lon, float)


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        (90.000001, 0, "latitude 90.000001 is outside -90 to 90"),
        (-91, 0, "latitude -91 is outside"),
        (0, 180.5, "longitude 180.5 is outside -180 to 180"),
        (0, -181, "longitude -181 is outside"),
        (math.nan, 0, "latitude nan"),
        (0, math.nan, "longitude nan"),
        (math.inf, 0, "latitude inf"),
        (0, -math.inf, "longitude -inf"),
    ],
)
def test_positions_out_of_range_are_refused(lat: float, lon: float, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Position(lat, lon)


# --- MGRS --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "reference"),
    [
        (52.5, 13.4, "33U UU 91390 17855"),  # Berlin
        (42.0, -93.0, "15T WG 00000 49776"),  # the mgrs package's documented example
        (-33.8568, 151.2153, "56H LH 34900 52288"),  # Sydney, southern hemisphere
        (20.0, -157.0, "04Q GH 09243 12730"),  # a one-digit zone keeps its leading zero
    ],
)
def test_positions_convert_to_spaced_grid_references(
    lat: float, lon: float, reference: str
) -> None:
    assert to_mgrs(Position(lat, lon)) == reference


@pytest.mark.parametrize(
    ("precision", "reference"),
    [
        (0, "33U UU"),
        (1, "33U UU 9 1"),
        (2, "33U UU 91 17"),
        (3, "33U UU 913 178"),
        (4, "33U UU 9139 1785"),
        (5, "33U UU 91390 17855"),
    ],
)
def test_precision_is_digits_per_axis(precision: int, reference: str) -> None:
    assert to_mgrs(Position(52.5, 13.4), precision) == reference


@pytest.mark.parametrize("precision", [-1, 6, 10])
def test_precision_beyond_one_metre_or_below_100_km_is_refused(precision: int) -> None:
    with pytest.raises(ValueError, match=f"MGRS precision {precision} is outside 0 to 5"):
        to_mgrs(Position(0, 0), precision)


@pytest.mark.parametrize(
    ("lat", "lon", "reference"),
    [
        (90, 0, "Z AH 00000 00000"),
        (-90, 0, "B AN 00000 00000"),
        (86.0, 13.0, "Z AC 99938 67118"),
        (-85.0, 13.0, "B BT 24950 41221"),
    ],
)
def test_polar_positions_use_the_ups_form(lat: float, lon: float, reference: str) -> None:
    assert to_mgrs(Position(lat, lon)) == reference
    assert metres_between(from_mgrs(reference), Position(lat, lon)) < 1


@pytest.mark.parametrize(
    "text",
    ["33U UU 91390 17855", "33UUU9139017855", "33uuu9139017855", "  33U\tUU 9139017855 "],
)
def test_grid_references_read_spaced_or_not(text: str) -> None:
    position = from_mgrs(text)
    assert metres_between(position, Position(52.5, 13.4)) < 1


def test_a_coarse_reference_names_the_centre_of_its_square() -> None:
    square = from_mgrs("33U UU")
    one_metre = from_mgrs("33U UU 50000 50000")
    assert metres_between(square, one_metre) < 1
    assert metres_between(from_mgrs("33U UU 913 178"), from_mgrs("33U UU 91350 17850")) < 1


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("", "expected e.g."),
        ("hello", "expected e.g."),
        ("33U UU 9139 17855", "expected e.g."),  # digits must pair
        ("33U UU 913901 785500", "expected e.g."),  # more than 1 m
        ("33I UU 91390 17855", "expected e.g."),  # I is not a band letter
        ("33U UI 91390 17855", "expected e.g."),  # nor a column letter
        ("61U UU 91390 17855", "no such grid square"),  # zones run 1 to 60
        ("31X VP 76664 28498", "no such grid square"),  # 31X has no column V
        ("14K PN 4052 6329", "not in its band"),
        ("33U-UU-91390-17855", "expected e.g."),
        ("33U UU \N{FULLWIDTH DIGIT NINE}1390 17855", "expected e.g."),
    ],
)
def test_bad_grid_references_are_refused_by_name(bad: str, why: str) -> None:
    with pytest.raises(ValueError, match="not an MGRS grid reference") as refused:
        from_mgrs(bad)
    assert repr(bad) in str(refused.value)
    assert why in str(refused.value)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (-8e-10, 0.0),  # a hair south of the equator
        (-1e-8, 124.8),
        (60.0, 2.999999999),  # a hair west of 3°E, where zone 32V widens over Norway
        (57.0, 3.0 - 5e-9),
    ],
)
def test_positions_on_a_hair_of_a_grid_edge_give_references_that_read_back(
    lat: float, lon: float
) -> None:
    position = Position(lat, lon)
    for precision in range(6):
        half_diagonal = 10 ** (5 - precision) * math.sqrt(2) / 2
        assert metres_between(from_mgrs(to_mgrs(position, precision)), position) < half_diagonal


@given(positions)
def test_a_one_metre_reference_finds_its_position_again_within_a_metre(position: Position) -> None:
    reference = to_mgrs(position)
    assert SPACED_MGRS.fullmatch(reference), reference
    assert metres_between(from_mgrs(reference), position) < 1


@given(positions, st.integers(min_value=0, max_value=4))
def test_a_coarser_reference_is_within_its_square(position: Position, precision: int) -> None:
    square_side = 10 ** (5 - precision)
    reference = to_mgrs(position, precision)
    match = SPACED_MGRS.fullmatch(reference)
    assert match is not None, reference
    assert all(len(digits or "") == precision for digits in match.groups()[1:])
    half_diagonal = square_side * math.sqrt(2) / 2
    # 1% for the sphere's error against the ellipsoid (up to 0.6% north-south at the equator).
    assert metres_between(from_mgrs(reference), position) <= half_diagonal * 1.01


# --- time zones --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Europe/Brussels", "Europe/Brussels"),
        ("europe/paris", "Europe/Paris"),
        (" America/New_York ", "America/New_York"),
        ("UTC", "UTC"),
        ("Asia/Kabul", "Asia/Kabul"),
    ],
)
def test_iana_time_zones_are_accepted_in_any_case(name: str, key: str) -> None:
    assert parse_time_zone(name).key == key


@pytest.mark.parametrize(
    "bad",
    ["", "Mars/Olympus", "Europe", "localtime", "CEST", "+01:00", "../../etc/passwd", "UTC\x00"],
)
def test_unknown_time_zones_are_refused_by_name(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown time zone") as refused:
        parse_time_zone(bad)
    assert repr(bad) in str(refused.value)


# --- areas -------------------------------------------------------------------------------


def polygon(*rings: object) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


SQUARE = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
HOLE = [[4, 4], [4, 6], [6, 6], [6, 4], [4, 4]]
FAR = [[20, 20], [21, 20], [21, 21], [20, 20]]


def signed_area(ring: Sequence[Sequence[float]]) -> float:
    """Positive for a counter-clockwise ring (shoelace formula)."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring)) / 2


@pytest.mark.parametrize(
    ("lat", "lon", "covered"),
    [
        (5, 2, True),  # inside
        (0, 5, True),  # on an edge
        (10, 10, True),  # on a corner
        (5, 5, False),  # in the hole
        (4, 5, True),  # on the hole's edge
        (5, 10.000001, False),  # just outside
        (-1, 5, False),
    ],
)
def test_an_area_covers_its_inside_and_its_boundary(lat: float, lon: float, covered: bool) -> None:
    area = parse_area(polygon(SQUARE, HOLE))
    assert area.covers(Position(lat, lon)) is covered


def test_a_multipolygon_covers_each_of_its_parts() -> None:
    area = parse_area({"type": "MultiPolygon", "coordinates": [[SQUARE], [FAR]]})
    assert area.covers(Position(5, 5))
    assert area.covers(Position(20.2, 20.5))
    assert not area.covers(Position(15, 15))
    assert area.bounds == (0, 0, 21, 21)


def test_a_feature_wrapping_a_polygon_is_read() -> None:
    feature = {"type": "Feature", "properties": {"name": "AOR North"}, "geometry": polygon(SQUARE)}
    area = parse_area(feature)
    assert area.covers(Position(5, 5))
    assert area.to_geojson() == parse_area(polygon(SQUARE)).to_geojson()


def test_an_area_gives_back_geojson_counter_clockwise_with_holes_clockwise() -> None:
    clockwise_square = SQUARE[::-1]
    counter_clockwise_hole = HOLE[::-1]
    assert signed_area(clockwise_square) < 0
    assert signed_area(counter_clockwise_hole) > 0
    geojson = parse_area(polygon(clockwise_square, counter_clockwise_hole)).to_geojson()
    assert geojson["type"] == "Polygon"
    shell, hole = geojson["coordinates"]
    assert signed_area(shell) > 0
    assert signed_area(hole) < 0
    assert sorted(map(tuple, shell[:-1])) == sorted(map(tuple, SQUARE[:-1]))
    assert json.loads(json.dumps(geojson)) == geojson  # plain lists and floats


def test_geojson_round_trips() -> None:
    area = parse_area({"type": "MultiPolygon", "coordinates": [[SQUARE, HOLE], [FAR]]})
    again = parse_area(area.to_geojson())
    assert again.to_geojson() == area.to_geojson()
    assert again.to_geojson()["type"] == "MultiPolygon"


def test_altitude_is_ignored() -> None:
    area = parse_area(polygon([[0, 0, 100], [10, 0, 100], [10, 10, 50], [0, 0, 100]]))
    assert area.to_geojson()["coordinates"] == [[[0, 0], [10, 0], [10, 10], [0, 0]]]


def test_the_whole_world_is_an_area() -> None:
    world = parse_area(polygon([[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]))
    assert world.covers(Position(90, 180))
    assert world.covers(Position(0, 0))
    assert world.bounds == (-180, -90, 180, 90)


def circle(count: int) -> list[list[float]]:
    """A closed ring of `count` positions (the last repeats the first)."""
    points = [
        [math.cos(2 * math.pi * i / (count - 1)), math.sin(2 * math.pi * i / (count - 1))]
        for i in range(count - 1)
    ]
    return [*points, points[0]]


def test_an_area_may_have_up_to_the_vertex_limit() -> None:
    assert MAX_AREA_VERTICES == 10_000
    assert parse_area(polygon(circle(MAX_AREA_VERTICES))).covers(Position(0, 0))
    with pytest.raises(ValueError, match="area has more than 10000 vertices"):
        parse_area(polygon(circle(MAX_AREA_VERTICES + 1)))


def test_the_vertex_limit_counts_every_ring_of_every_polygon() -> None:
    half = circle(MAX_AREA_VERTICES // 2)
    far = [[x + 5, y] for x, y in half]
    with pytest.raises(ValueError, match="more than 10000 vertices"):
        parse_area({"type": "MultiPolygon", "coordinates": [[half], [far], [FAR]]})


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (None, "area must be a GeoJSON object"),
        ([], "area must be a GeoJSON object"),
        ("POLYGON((0 0, 1 0, 1 1, 0 0))", "area must be a GeoJSON object"),
        ({"type": "Point", "coordinates": [0, 0]}, "not 'Point'"),
        ({"type": "GeometryCollection", "geometries": []}, "not 'GeometryCollection'"),
        ({"coordinates": [SQUARE]}, "not None"),
        ({"type": "Feature", "geometry": None}, "area Feature must hold a geometry"),
        ({"type": "Polygon"}, "non-empty list of linear rings"),
        (polygon(), "non-empty list of linear rings"),
        ({"type": "Polygon", "coordinates": SQUARE[0]}, "list of at least four positions"),
        (polygon([[0, 0], [1, 1], [0, 0]]), "list of at least four positions"),
        (polygon([[0, 0], [1, 0], [1, 1], [0, 1]]), "not closed"),
        (polygon([[0, 0], [1, 0], [1, "1"], [0, 0]]), "[1, '1'] must be [longitude, latitude]"),
        (polygon([[0, 0], [1, 0], [1, True], [0, 0]]), "must be [longitude, latitude]"),
        (polygon([[0, 0], [1, 0], [1, math.nan], [0, 0]]), "must be [longitude, latitude]"),
        (polygon([[0, 0], [1, 0], [10**400, 1], [0, 0]]), "must be [longitude, latitude]"),
        (polygon([[0, 0], [1, 0], [1], [0, 0]]), "[1] must be [longitude, latitude]"),
        (polygon([[0, 0], [1, 0], [1, 1, 1, 1], [0, 0]]), "must be [longitude, latitude]"),
        (polygon([[0, 0], [1, 0], {"x": 1}, [0, 0]]), "must be [longitude, latitude]"),
        (polygon([[0, 0], [0, 95], [1, 1], [0, 0]]), "[0, 95]: latitude 95.0 is outside"),
        (polygon([[0, 0], [190, 0], [1, 1], [0, 0]]), "[190, 0]: longitude 190.0 is outside"),
        (polygon([[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]), "not a valid polygon"),
        (polygon([[0, 0], [1, 1], [2, 2], [0, 0]]), "not a valid polygon"),
        (polygon(SQUARE, FAR), "not a valid polygon"),  # a hole outside its shell
        ({"type": "MultiPolygon", "coordinates": []}, "non-empty list of polygons"),
        ({"type": "MultiPolygon", "coordinates": [[SQUARE], [HOLE]]}, "not a valid polygon"),
        ({"type": "MultiPolygon", "coordinates": [SQUARE]}, "list of at least four positions"),
    ],
)
def test_bad_geojson_is_refused_with_a_clear_message(bad: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_area(bad)


@given(
    st.tuples(longitudes, longitudes).map(sorted),
    st.tuples(latitudes, latitudes).map(sorted),
    positions,
)
def test_a_rectangle_covers_exactly_the_positions_within_it(
    lons: list[float], lats: list[float], position: Position
) -> None:
    (west, east), (south, north) = lons, lats
    assume(east - west > 1e-6 and north - south > 1e-6)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    area = parse_area(polygon(ring))
    inside = west <= position.lon <= east and south <= position.lat <= north
    assert area.covers(position) is inside
    assert area.covers(Position(south, west))
    assert area.covers(Position(north, east))

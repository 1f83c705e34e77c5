import pytest

from civicloop.reports.selectors import routing_agencies_for
from tests.factories import AgencyFactory, AreaFactory, JurisdictionFactory, square
from tests.reports.factories import CategoryFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db

# City (0..10) ⊃ north district (0..10 × 5..10) ⊃ harbour ward (0..2 × 8..10); south district (0..10 × 0..5).
INSIDE_WARD = (1.0, 9.0)
NORTH_OUTSIDE_WARD = (8.0, 6.0)
SOUTH = (5.0, 2.0)


def _rect(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


@pytest.fixture
def city():
    jurisdiction = JurisdictionFactory()
    city = AreaFactory(jurisdiction=jurisdiction, level="city", geometry=square(0, 0, 10))
    north = AreaFactory(jurisdiction=jurisdiction, parent=city, geometry=_rect(0, 5, 10, 10))
    south = AreaFactory(jurisdiction=jurisdiction, parent=city, geometry=_rect(0, 0, 10, 5))
    ward = AreaFactory(jurisdiction=jurisdiction, parent=north, level="ward", geometry=_rect(0, 8, 2, 10))
    return {"j": jurisdiction, "city": city, "north": north, "south": south, "ward": ward}


def _agency(city, name):
    return AgencyFactory(jurisdiction=city["j"], name=name)


def test_routing_most_specific_area_rule_wins_then_fallback(city):
    category = CategoryFactory(jurisdiction=city["j"])
    everywhere, north, harbour = _agency(city, "Everywhere"), _agency(city, "North"), _agency(city, "Harbour")
    RoutingRuleFactory(category=category, agencies=[everywhere])
    RoutingRuleFactory(category=category, area=city["north"], agencies=[north])
    RoutingRuleFactory(category=category, area=city["ward"], agencies=[harbour])

    assert routing_agencies_for(category=category, lon=INSIDE_WARD[0], lat=INSIDE_WARD[1]) == [harbour]
    assert routing_agencies_for(category=category, lon=NORTH_OUTSIDE_WARD[0], lat=NORTH_OUTSIDE_WARD[1]) == [north]
    assert routing_agencies_for(category=category, lon=SOUTH[0], lat=SOUTH[1]) == [everywhere]


def test_routing_a_district_rule_covers_its_wards(city):
    category = CategoryFactory(jurisdiction=city["j"])
    north = _agency(city, "North")
    RoutingRuleFactory(category=category, area=city["north"], agencies=[north])
    assert routing_agencies_for(category=category, lon=INSIDE_WARD[0], lat=INSIDE_WARD[1]) == [north]


def test_routing_two_tier_rule_returns_every_agency_by_name(city):
    category = CategoryFactory(jurisdiction=city["j"])
    water, social = _agency(city, "Water"), _agency(city, "Social")
    RoutingRuleFactory(category=category, area=city["south"], agencies=[water, social])
    assert routing_agencies_for(category=category, lon=SOUTH[0], lat=SOUTH[1]) == [social, water]


def test_routing_without_any_rule_goes_to_triage(city):
    category = CategoryFactory(jurisdiction=city["j"])
    other = CategoryFactory(jurisdiction=city["j"])
    RoutingRuleFactory(category=other, agencies=[_agency(city, "Other")])  # another category's rule
    assert routing_agencies_for(category=category, lon=SOUTH[0], lat=SOUTH[1]) == []


def test_routing_area_rule_elsewhere_and_no_fallback_goes_to_triage(city):
    category = CategoryFactory(jurisdiction=city["j"])
    RoutingRuleFactory(category=category, area=city["north"], agencies=[_agency(city, "North")])
    assert routing_agencies_for(category=category, lon=SOUTH[0], lat=SOUTH[1]) == []


def test_routing_passes_over_a_rule_whose_agencies_are_all_inactive(city):
    category = CategoryFactory(jurisdiction=city["j"])
    everywhere = _agency(city, "Everywhere")
    closed = AgencyFactory(jurisdiction=city["j"], is_active=False)
    RoutingRuleFactory(category=category, agencies=[everywhere])
    RoutingRuleFactory(category=category, area=city["ward"], agencies=[closed])
    assert routing_agencies_for(category=category, lon=INSIDE_WARD[0], lat=INSIDE_WARD[1]) == [everywhere]


def test_routing_refuses_coordinates_out_of_range(city):
    category = CategoryFactory(jurisdiction=city["j"])
    with pytest.raises(ValueError, match="lat must be between -90 and 90"):
        routing_agencies_for(category=category, lon=1.0, lat=91.0)

"""The registry stand-in's synthetic population is deterministic, valid and coherent."""

from __future__ import annotations

from backend.identity.numbers import parse_id_number
from standins.population.generate import DEMO_PHONE, Street, generate

STREETS = [
    Street("440106001", "440106", "天河区", "五山街道"),
    Street("440104001", "440104", "越秀区", "北京街道"),
    Street("440105001", "440105", "海珠区", "赤岗街道"),
]


def test_same_seed_same_people() -> None:
    assert generate(STREETS) == generate(STREETS)
    assert generate(STREETS, seed=1) != generate(STREETS)


def test_at_least_a_thousand_valid_unique_residents() -> None:
    people = generate(STREETS)
    assert len(people) >= 1000
    assert all(parse_id_number(p.id_number) is not None for p in people)
    assert len({p.id_number for p in people}) == len(people)
    phones = [p.phone for p in people if p.phone]
    assert len(set(phones)) == len(phones)
    assert {p.region_code for p in people} <= {s.code for s in STREETS}
    # ID number encodes the birth date and sex the record states
    for person in people:
        parsed = parse_id_number(person.id_number)
        assert parsed is not None and parsed.birth_date == person.birth_date and parsed.sex == person.sex


def test_families_are_coherent() -> None:
    people = {p.id_number: p for p in generate(STREETS)}
    spouses = [p for p in people.values() if p.spouse_id_number]
    assert len(spouses) > 300
    for person in spouses:
        spouse = people[person.spouse_id_number]  # type: ignore[index]
        assert spouse.spouse_id_number == person.id_number and spouse.sex != person.sex
        assert person.marital_status == spouse.marital_status == "married"
    children = [p for p in people.values() if p.father_id_number and p.mother_id_number]
    assert len(children) > 200
    for child in children:
        father, mother = people[child.father_id_number], people[child.mother_id_number]  # type: ignore[index]
        assert father.birth_date < child.birth_date and mother.birth_date < child.birth_date
        assert child.household_id == father.household_id


def test_the_documented_demo_family() -> None:
    people = {p.id_number: p for p in generate(STREETS)}
    demo = next(p for p in people.values() if p.phone == DEMO_PHONE)
    assert (demo.name, demo.region_code[:6], demo.marital_status) == ("李明", "440106", "married")
    spouse = people[demo.spouse_id_number]  # type: ignore[index]
    assert spouse.name == "王芳"
    child = next(p for p in people.values() if p.father_id_number == demo.id_number)
    assert child.name == "李小雨" and child.mother_id_number == spouse.id_number

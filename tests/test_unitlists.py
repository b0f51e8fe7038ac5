import subprocess
import sys
import unicodedata
from collections import Counter

import pytest

from parapp.domain.unitlists import (
    OfficialUnit,
    find_official,
    kind_from_name,
    official_units,
    province_units,
)

LEVELS = ("province", "district", "commune")
WIDTH = {"province": 2, "district": 3, "commune": 5}
KINDS = {
    "province": {"tỉnh", "thành phố"},
    "district": {"huyện", "quận", "thị xã", "thành phố"},
    "commune": {"xã", "phường", "thị trấn", "đặc khu"},
}


def counts(tiers: int) -> Counter:
    return Counter(u.level for u in official_units(tiers))


def test_three_tier_counts():
    # vietnam-provinces 0.6.0, data of 2025-01-04.
    assert counts(3) == {"province": 63, "district": 696, "commune": 10051}


def test_two_tier_counts():
    assert counts(2) == {"province": 34, "commune": 3321}


@pytest.mark.parametrize("tiers", [2, 3])
def test_structure(tiers):
    units = official_units(tiers)
    by_code = {u.code: u for u in units}
    assert len(by_code) == len(units), "codes are unique"
    seen: set[str] = set()
    for u in units:
        assert isinstance(u, OfficialUnit)
        assert u.level in LEVELS
        assert u.code.isdigit() and len(u.code) == WIDTH[u.level]
        assert u.kind in KINDS[u.level]
        assert u.kind == kind_from_name(u.name)
        if u.level == "province":
            assert u.parent is None
        else:
            parent = by_code[u.parent]
            expected = "province" if tiers == 2 else LEVELS[LEVELS.index(u.level) - 1]
            assert parent.level == expected
            assert u.parent in seen, "parents come before children"
        seen.add(u.code)


@pytest.mark.parametrize("tiers", [2, 3])
def test_names_are_clean_nfc(tiers):
    for u in official_units(tiers):
        assert unicodedata.normalize("NFC", u.name) == u.name
        assert " ".join(u.name.split()) == u.name
        assert len(u.name.split()) >= 2


def test_two_tier_levels():
    assert {u.level for u in official_units(2)} == {"province", "commune"}


def test_two_tier_kinds_agree_with_package():
    from vietnam_provinces import Province, Ward

    package = {f"{int(p.code):02d}": p.division_type.value for p in Province.iter_all()}
    package |= {f"{int(w.code):05d}": w.division_type.value for w in Ward.iter_all()}
    for u in official_units(2):
        expected = "thành phố" if package[u.code] == "thành phố trung ương" else package[u.code]
        assert u.kind == expected, u
    assert {u.kind for u in official_units(2) if u.level == "commune"} == {"xã", "phường", "đặc khu"}


def test_ha_tinh_three_tier():
    ha_tinh = find_official(3, "42")
    assert ha_tinh == OfficialUnit("42", "Tỉnh Hà Tĩnh", "tỉnh", "province", None)
    units = province_units(3, "42")
    assert units[0] == ha_tinh
    districts = [u for u in units if u.level == "district"]
    assert len(districts) == 12
    assert OfficialUnit("440", "Huyện Đức Thọ", "huyện", "district", "42") in districts
    for d in districts:
        communes = [u for u in units if u.parent == d.code]
        assert communes, d
        assert all(c.level == "commune" for c in communes)
    duc_tho = {u.name for u in units if u.parent == "440"}
    assert {"Xã Tùng Ảnh", "Thị trấn Đức Thọ"} <= duc_tho
    assert find_official(3, "449").name == "Thị xã Kỳ Anh"
    assert find_official(3, "436").kind == "thành phố"


def test_other_provinces_three_tier():
    assert find_official(3, "40").name == "Tỉnh Nghệ An"
    assert find_official(3, "94").name == "Tỉnh Sóc Trăng"
    assert find_official(3, "01") == OfficialUnit("01", "Thành phố Hà Nội", "thành phố", "province", None)
    cities = {u.name for u in official_units(3) if u.level == "province" and u.kind == "thành phố"}
    assert len(cities) == 6 and "Thành phố Huế" in cities


def test_two_tier_provinces():
    assert find_official(2, "42") == OfficialUnit("42", "Tỉnh Hà Tĩnh", "tỉnh", "province", None)
    assert find_official(2, "01").kind == "thành phố"
    assert find_official(2, "94") is None  # Sóc Trăng was merged into Cần Thơ
    communes = province_units(2, "42")[1:]
    assert communes and all(u.level == "commune" and u.parent == "42" for u in communes)
    assert sum(u.kind == "đặc khu" for u in official_units(2)) == 13
    assert find_official(2, "00070").name == "Phường Hoàn Kiếm"


def test_islands_without_communes():
    units = official_units(3)
    parents = {u.parent for u in units}
    bare = {u.code for u in units if u.level == "district" and u.code not in parents}
    assert bare == {"318", "471", "498", "536", "755"}  # Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo


@pytest.mark.parametrize("tiers", [2, 3])
def test_province_units_cover_everything(tiers):
    provinces = [u.code for u in official_units(tiers) if u.level == "province"]
    total = sum(len(province_units(tiers, p)) for p in provinces)
    assert total == len(official_units(tiers))


def test_lookups_miss():
    assert find_official(3, "999") is None
    assert find_official(3, "42000") is None
    with pytest.raises(ValueError):
        province_units(3, "440")  # a district, not a province
    with pytest.raises(ValueError):
        province_units(2, "94")


@pytest.mark.parametrize("tiers", [0, 1, 4, "3"])
def test_bad_tiers(tiers):
    with pytest.raises(ValueError):
        official_units(tiers)


def test_results_are_copies():
    first = official_units(3)
    first.clear()
    assert len(official_units(3)) == 63 + 696 + 10051


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Phường Bến Nghé", "phường"),
        ("Thị trấn Đức Thọ", "thị trấn"),
        ("Thị xã Kỳ Anh", "thị xã"),
        ("Thành phố Hà Tĩnh", "thành phố"),
        ("Đặc khu Phú Quốc", "đặc khu"),
        ("Tỉnh Hà Tĩnh", "tỉnh"),
        ("Huyện Đức Thọ", "huyện"),
        ("Quận Ba Đình", "quận"),
        ("Xã Tùng Ảnh", "xã"),
        ("Thành Phố Bắc Kạn", "thành phố"),  # spelt so in the 0.6.0 data
        ("Xã  Bắc Đông Quan", "xã"),  # double space, as in the current package
        (unicodedata.normalize("NFD", "Thị xã Kỳ Anh"), "thị xã"),
    ],
)
def test_kind_from_name(name, kind):
    assert kind_from_name(name) == kind


@pytest.mark.parametrize("name", ["Hà Tĩnh", "", "Xã", "Xãhội", "Thị Kỳ Anh", "Phố Huế"])
def test_kind_from_name_rejects(name):
    with pytest.raises(ValueError):
        kind_from_name(name)


def test_import_does_not_load_package():
    code = "import sys, parapp.domain.unitlists; print('vietnam_provinces' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

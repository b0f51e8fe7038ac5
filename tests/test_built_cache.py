"""The catalogue and the target sets built from their text are kept in the data folder's cache, under what they
were built from: an edited file, another catalogue under the same target set, a damaged or foreign cache file are
never served; what a text says wrong is told as before."""

from __future__ import annotations

import pytest

from parapp import settings
from parapp.domain import catalogue as cat_mod
from parapp.domain.catalogue import CatalogueError, parse_catalogue, parse_target_set
from parapp.resources import resource_path


def _texts() -> tuple[str, str]:
    cat = resource_path("catalogue", "catalogue.toml").read_text(encoding="utf-8")
    ts = resource_path("target_sets", "ha_tinh_2022_2025.toml").read_text(encoding="utf-8")
    return cat, ts


def _built_files():
    return sorted((settings.data_dir() / "cache").glob("built-*.pickle"))


@pytest.fixture
def parses(monkeypatch):
    """How many times the catalogue and the target sets were really parsed."""
    count = {"catalogue": 0, "target set": 0}
    real_cat, real_ts = cat_mod._parse_catalogue, cat_mod._parse_target_set

    def cat(*a, **k):
        count["catalogue"] += 1
        return real_cat(*a, **k)

    def ts(*a, **k):
        count["target set"] += 1
        return real_ts(*a, **k)

    monkeypatch.setattr(cat_mod, "_parse_catalogue", cat)
    monkeypatch.setattr(cat_mod, "_parse_target_set", ts)
    return count


def test_what_was_built_is_read_back_the_same(parses):
    cat_text, ts_text = _texts()
    first = parse_catalogue(cat_text)
    ts_first = parse_target_set(ts_text, first, "ha_tinh_2022_2025.toml")
    assert parses == {"catalogue": 1, "target set": 1} and len(_built_files()) == 2
    again = parse_catalogue(cat_text)
    ts_again = parse_target_set(ts_text, again, "ha_tinh_2022_2025.toml")
    assert parses == {"catalogue": 1, "target set": 1}  # both from the cache
    assert again is not first and again == first
    assert list(again.elements) == list(first.elements) and again.indicators == first.indicators
    assert ts_again == ts_first and ts_again.source_text == ts_first.source_text
    ind = again.indicators["online_rate"]
    assert ind.compute({"received_online": 3, "received_new": 4}) == first.indicators["online_rate"].compute(
        {"received_online": 3, "received_new": 4})


def test_an_edited_catalogue_or_target_set_is_read_anew(parses):
    cat_text, ts_text = _texts()
    cat = parse_catalogue(cat_text)
    parse_target_set(ts_text, cat)
    assert 'version = "' in cat_text
    edited = cat_text.replace('version = "', 'version = "edited-', 1)
    changed = parse_catalogue(edited)
    assert parses["catalogue"] == 2 and changed.version == "edited-" + cat.version
    # the same target set checked against another catalogue is checked again
    parse_target_set(ts_text, changed)
    assert parses["target set"] == 2
    value = next(line for line in ts_text.splitlines() if line.startswith("value = "))
    ts_edited = ts_text.replace(value, "value = 12.5", 1)
    assert parse_target_set(ts_edited, cat).targets[0].value == 12.5
    assert parses["target set"] == 3
    # and the first texts still give what they gave
    assert parse_catalogue(cat_text) == cat and parses["catalogue"] == 2


def test_a_catalogue_without_an_indicator_refuses_the_target_set_it_once_accepted(parses):
    cat_text, ts_text = _texts()
    parse_target_set(ts_text, parse_catalogue(cat_text))
    start = cat_text.index('code = "online_rate"')
    block_start = cat_text.rindex("[[indicators]]", 0, start)
    block_end = cat_text.find("[[", start)
    without = cat_text[:block_start] + cat_text[block_end:]
    smaller = parse_catalogue(without)
    assert "online_rate" not in smaller.indicators
    with pytest.raises(CatalogueError) as e:
        parse_target_set(ts_text, smaller, "ha_tinh_2022_2025.toml")
    assert "online_rate" in e.value.message("en") and "ha_tinh_2022_2025.toml" in e.value.message("en")


def test_a_wrong_text_is_refused_every_time_with_the_same_words():
    cat_text, _ts = _texts()
    broken = cat_text.replace('version = "', 'version = 3 # "', 1)
    messages = set()
    for _ in range(2):
        with pytest.raises(CatalogueError) as e:
            parse_catalogue(broken, "mine.toml")
        messages.add(e.value.message("en"))
    assert len(messages) == 1 and "mine.toml" in messages.pop()


@pytest.mark.parametrize("damage", ["empty", "cut", "garbage", "foreign"])
def test_a_damaged_or_foreign_cache_file_is_not_used(parses, damage):
    cat_text, _ts = _texts()
    first = parse_catalogue(cat_text)
    (path,) = _built_files()
    data = path.read_bytes()
    if damage == "empty":
        path.write_bytes(b"")
    elif damage == "cut":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x80\x05not a pickle at all")
    else:  # a sound file holding another key's object
        import pickle

        _key, obj = pickle.loads(data)
        obj.version = "not this one"
        path.write_bytes(pickle.dumps(("0" * 64, obj)))
    again = parse_catalogue(cat_text)
    assert parses["catalogue"] == 2 and again == first
    assert parse_catalogue(cat_text) == first and parses["catalogue"] == 2  # kept again, sound


def test_a_change_of_the_code_that_builds_them_is_a_new_key(monkeypatch, parses):
    cat_text, _ts = _texts()
    parse_catalogue(cat_text)
    monkeypatch.setattr(cat_mod, "_code_stamp", lambda: "another build of ParApp")
    parse_catalogue(cat_text)
    assert parses["catalogue"] == 2


def test_a_cache_file_that_would_call_a_function_is_never_unpickled(parses, tmp_path):
    """A cache file written by someone else (a shared USB stick in portable mode) may name a function for the
    unpickler to call: it is refused, nothing runs, and the catalogue is parsed from its text."""
    import os
    import pickle

    cat_text, _ts = _texts()
    parse_catalogue(cat_text)
    (path,) = _built_files()
    key, _obj = pickle.loads(path.read_bytes())
    witness = tmp_path / "ran"

    class Planted:
        def __reduce__(self):
            return (os.system, (f"touch {witness}",))

    path.write_bytes(pickle.dumps((key, Planted())))
    cat = parse_catalogue(cat_text)
    assert not witness.exists() and parses["catalogue"] == 2
    assert "online_rate" in cat.indicators

"""Signed returns: each office signs what it exports with its Ed25519 key; the office above learns the key from
the first return (trust on first use) and tells signed, edited, re-signed, unsigned and filled-in templates
apart, applying anything but a sound return only by an explicit choice with a reason."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from parapp.engine.office import Office
from parapp.exchange.returns import META_SHEET, SHEET, apply, export_return, preview, read_return
from parapp.exchange.returns.form import signed_payload
from parapp.i18n import ParAppError
from parapp.store import audit, keys
from parapp.store import values as vs

Q = "2025Q3"
FIGURES = {"carried_over": "10", "received_new": "120", "resolved_on_time": "125", "pending_in_time": "5"}


def digest(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


@pytest.fixture
def offices(tmp_path):
    """A district (436) and two of its communes' own offices (Phường Nam Hà 18073, Phường Bắc Hà 18077)."""
    district = Office.create(tmp_path / "district.db", "42", office="436", officer="Võ Thị Mai")
    nam_ha = Office.create(tmp_path / "nam-ha.db", "42", office="18073", officer="Lê Văn Nam")
    bac_ha = Office.create(tmp_path / "bac-ha.db", "42", office="18077", officer="Trần Thị Bắc")
    nam_ha.enter("18073", Q, FIGURES)
    bac_ha.enter("18077", Q, FIGURES)
    yield district, nam_ha, bac_ha
    for o in (district, nam_ha, bac_ha):
        o.close()


def _meta(path: Path) -> tuple[dict, dict, openpyxl.Workbook]:
    wb = openpyxl.load_workbook(path)
    meta, cells, table = {}, {}, False
    for row in wb[META_SHEET].iter_rows():
        key = row[0].value
        if key == "element":
            table = True
        elif key and table:
            cells[key] = (row[1].value, row[2].value)
        elif key:
            meta[key] = row[1]
    return meta, cells, wb


def test_a_return_is_signed_and_its_key_learned_on_first_use(offices, tmp_path, cli):
    district, nam_ha, _bac_ha = offices
    out = export_return(nam_ha, "18073", Q, tmp_path / "r1.xlsx")
    rf = read_return(out, district.catalogue)
    assert rf.signed and rf.signature_ok and rf.public_key == keys.office_public_key(nam_ha.store)
    assert rf.chain_head == audit.head(nam_ha.store.conn)
    [pv] = preview(district, [out])
    assert pv.sound and pv.seal.kind == "first_use"
    assert "Ký bởi Phường Nam Hà" in pv.seal.text.vi and "tin tưởng lần đầu" in pv.seal.text.vi
    district_db = district.store.path
    district.close()
    code, stdout, err = cli("import-returns", "--db", district_db, out, "--yes")
    assert code == 0, err
    assert "Chữ ký: ✔ Ký bởi Phường Nam Hà" in stdout
    with Office.open(district_db) as d:
        known = keys.known_key(d.store, "18073")
        assert known.how == "first_use" and known.public_key == rf.public_key and known.learned_from == "r1.xlsx"
        learned = [e for e in vs.audit_log(d.store, "18073") if e.action == "key"]
        assert len(learned) == 1 and keys.fingerprint(rf.public_key) in learned[0].reason
        # The next return of the same office: signed with the key known for it.
        nam_ha.enter("18073", Q, {"received_new": "121", "resolved_on_time": "126"})
        again = export_return(nam_ha, "18073", Q, tmp_path / "r2.xlsx")
        [pv] = preview(d, [again])
        assert pv.sound and pv.seal.kind == "signed" and pv.seal.text.en.startswith("Signed by Phường Nam Hà (key ")


def test_a_return_edited_in_openpyxl_after_export_is_recognised(offices, tmp_path, cli):
    district, nam_ha, _bac_ha = offices
    out = export_return(nam_ha, "18073", Q, tmp_path / "r.xlsx")
    meta, cells, wb = _meta(out)
    wb[SHEET][cells["received_new"][0]] = 200
    wb.save(tmp_path / "edited.xlsx")
    edited = tmp_path / "edited.xlsx"
    [pv] = preview(district, [edited])
    assert pv.acceptable and not pv.sound and pv.seal.kind == "edited"
    assert "đã bị sửa sau khi xuất" in pv.seal.text.vi
    db = district.store.path
    district.close()
    before = digest(db)
    code, stdout, err = cli("import-returns", "--db", db, edited, "--yes")
    assert code == 1 and "--accept-edited" in err and "Không nhập tệp nào" in err
    assert digest(db) == before
    code, stdout, err = cli("import-returns", "--db", db, edited, "--yes", "--accept-edited",
                            "Xã báo sửa số tiếp nhận qua điện thoại")
    assert code == 0, err
    with Office.open(db) as d:
        assert vs.stored_values(d.store, "18073", Q)["received_new"].value == 200
        [accepted] = [e for e in vs.audit_log(d.store, "18073", Q) if e.action == "accept_return"]
        assert "qua điện thoại" in accepted.reason and "sửa sau khi xuất" in accepted.reason
        assert keys.known_key(d.store, "18073") is None  # an edited file teaches no key


def test_a_hidden_unit_code_switched_to_another_commune_is_an_edit(offices, tmp_path):
    district, nam_ha, _bac_ha = offices
    out = export_return(nam_ha, "18073", Q, tmp_path / "r.xlsx")
    meta, _cells, wb = _meta(out)
    meta["unit"].value = "18077"  # now claims to be Phường Bắc Hà's figures
    wb.save(tmp_path / "switched.xlsx")
    [pv] = preview(district, [tmp_path / "switched.xlsx"])
    assert pv.unit.code == "18077" and pv.seal.kind == "edited" and not pv.sound
    with pytest.raises(ParAppError, match="kèm lý do"):
        apply(district, [pv], {pv.path})
    assert vs.stored_values(district.store, "18077", Q) == {}


def test_a_return_re_signed_with_another_offices_key_is_recognised(offices, tmp_path, cli):
    district, nam_ha, bac_ha = offices
    first = export_return(nam_ha, "18073", Q, tmp_path / "first.xlsx")
    apply(district, preview(district, [first]), {first})  # the district knows Nam Hà's key now
    # Someone with Bắc Hà's database edits Nam Hà's return and signs it again with Bắc Hà's key.
    out = export_return(nam_ha, "18073", Q, tmp_path / "r.xlsx")
    meta, cells, wb = _meta(out)
    wb[SHEET][cells["received_new"][0]] = 300
    rf = read_return(out, district.catalogue)
    values = dict(rf.values, received_new=300.0)
    public, signature = keys.sign(bac_ha.store, signed_payload(
        {k: str(c.value or "") for k, c in meta.items()}, cells, values, rf.comments))
    meta["public_key"].value, meta["signature"].value = public, signature
    wb.save(tmp_path / "resigned.xlsx")
    resigned = tmp_path / "resigned.xlsx"
    [pv] = preview(district, [resigned])
    assert pv.seal.kind == "other_key" and not pv.sound
    assert "khoá khác với khoá đã biết của Phường Nam Hà" in pv.seal.text.vi
    assert keys.fingerprint(public) in pv.seal.text.vi
    db = district.store.path
    district.close()
    before = digest(db)
    code, _out, err = cli("import-returns", "--db", db, resigned, "--yes")
    assert code == 1 and "--accept-other-key" in err and digest(db) == before
    code, _out, err = cli("import-returns", "--db", db, resigned, "--yes", "--accept-other-key",
                          "Phường cài lại máy, đã gọi điện xác nhận dấu khoá")
    assert code == 0, err
    with Office.open(db) as d:
        known = keys.known_key(d.store, "18073")
        assert known.public_key == public and known.how == "accepted" and "gọi điện" in known.reason


def test_a_template_filled_in_excel_and_an_unsigned_return_say_so(offices, tmp_path, cli):
    district, nam_ha, _bac_ha = offices
    template = export_return(district, "18077", Q, tmp_path / "blank.xlsx", blank=True)
    _meta_, cells, wb = _meta(template)
    wb[SHEET][cells["received_new"][0]] = 55
    wb.save(tmp_path / "filled.xlsx")
    out = export_return(nam_ha, "18073", Q, tmp_path / "r.xlsx")
    meta, _cells, wb = _meta(out)
    meta["signature"].value = None  # the signature taken out
    wb.save(tmp_path / "unsigned.xlsx")
    pvs = preview(district, [tmp_path / "filled.xlsx", tmp_path / "unsigned.xlsx"])
    assert [pv.seal.kind for pv in pvs] == ["template", "unsigned"]
    assert "Mẫu điền bằng Excel" in pvs[0].seal.text.vi and "không có chữ ký số" in pvs[1].seal.text.vi
    db = district.store.path
    district.close()
    code, _out, err = cli("import-returns", "--db", db, tmp_path / "filled.xlsx", tmp_path / "unsigned.xlsx", "--yes")
    assert code == 1 and err.count("--accept-unsigned") == 2
    code, _out, err = cli("import-returns", "--db", db, tmp_path / "filled.xlsx", tmp_path / "unsigned.xlsx", "--yes",
                          "--accept-unsigned", "Bản giấy có chữ ký, đã đối chiếu")
    assert code == 0, err
    with Office.open(db) as d:
        assert vs.stored_values(d.store, "18077", Q)["received_new"].value == 55
        assert len([e for e in vs.audit_log(d.store) if e.action == "accept_return"]) == 2


def test_a_return_signed_by_a_sibling_office_is_not_taken_for_the_units_own(offices, tmp_path):
    district, _nam_ha, bac_ha = offices
    with pytest.raises(ParAppError):
        bac_ha.enter("18073", Q, FIGURES)  # its own ParApp refuses a unit outside the office
    own = export_return(bac_ha, "18077", Q, tmp_path / "r.xlsx")
    meta, _cells, wb = _meta(own)
    # A forger re-labels Bắc Hà's signed return as Nam Hà's and signs it again with Bắc Hà's key.
    rf = read_return(own, district.catalogue)
    meta["unit"].value, meta["unit_name"].value = "18073", "Phường Nam Hà"
    _public, signature = keys.sign(bac_ha.store, signed_payload(
        {k: str(c.value or "") for k, c in meta.items()}, rf.cells, rf.values, rf.comments))
    meta["signature"].value = signature
    wb.save(tmp_path / "sibling.xlsx")
    [pv] = preview(district, [tmp_path / "sibling.xlsx"])
    assert pv.unit.code == "18073" and pv.seal.kind == "other_office" and not pv.sound
    assert "18077" in pv.seal.text.vi


def test_the_chain_head_in_a_return_checks_the_senders_history(offices, tmp_path, cli):
    _district, nam_ha, _bac_ha = offices
    out = export_return(nam_ha, "18073", Q, tmp_path / "r.xlsx")
    db = nam_ha.store.path
    nam_ha.close()
    code, stdout, _err = cli("audit", "verify", "--db", db, "--return", out)
    assert code == 0 and "khớp" in stdout
    # The whole chain rewritten after an edit: the return sent upward still names the old head.
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER audit_rows_no_update")
    conn.execute("UPDATE audit_rows SET new_value = 1 WHERE element = (SELECT id FROM terms WHERE text = 'received_new')")
    conn.execute("UPDATE data_values SET value = 1 WHERE element = 'received_new'")
    audit.rechain(conn)
    conn.commit()
    conn.close()
    code, stdout, _err = cli("audit", "verify", "--db", db, "--return", out)
    assert code == 2 and "KHÔNG KHỚP" in stdout

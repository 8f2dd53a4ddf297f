"""Personal data at rest (lib/crypto.py): encrypted, found by keyed hash, shown masked, rotatable."""

import hashlib
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from huifang.lib import crypto
from huifang.portfolio import selectors
from huifang.portfolio.models import Borrower, Loan, LoanParty

SAMPLES = Path(__file__).resolve().parents[3] / "tests" / "samples"
HEADER = (
    "借款合同编号,借款人,借款人类型,证件号码,联系电话,贷款产品,贷款金额,年利率,期限(月),放款日期,"
    "到期日期,还款方式,贷款用途,风险等级,所属机构,客户经理,担保人,担保人证件号码,担保人电话"
)
# SAMPLE-017 of the sample portfolio: a borrower and a guarantor, each with an ID and a phone.
BORROWER_ID, BORROWER_PHONE = "440305199407219006", "15473045301"
GUARANTOR_ID, GUARANTOR_PHONE = "911101051743973277", "15959642520"
ROW = (
    f"SAMPLE-017,林芳,individual,{BORROWER_ID},{BORROWER_PHONE},汽车消费贷,4227396.01,0.12,11,"
    f"2025-01-01,,bullet,家庭装修,high,上海分公司,,北京金源服装有限公司,{GUARANTOR_ID},"
    f"{GUARANTOR_PHONE}"
)


def import_sample_017(tmp_path: Path) -> Loan:
    path = tmp_path / "loan.csv"
    path.write_text(f"{HEADER}\n{ROW}\n", encoding="utf-8")
    call_command("import_loans", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    return Loan.objects.select_related("borrower").get(loan_no="SAMPLE-017")


def raw_rows(table: str, where: str = "1 = 1", params: list | None = None) -> list[str]:
    """Rows as the database holds them, every column as text: what a stolen backup shows."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE {where}", params or [])
        return [" | ".join(_text(value) for value in row) for row in cursor.fetchall()]


def _text(value: object) -> str:
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


# --- at rest -------------------------------------------------------------------------------


def test_an_imported_borrowers_id_and_phone_are_not_stored_in_clear(db, tmp_path):
    # given an imported loan with a borrower and a guarantor
    loan = import_sample_017(tmp_path)

    # when their rows are read as the database holds them
    borrower_rows = raw_rows("portfolio_borrower", "id = %s", [loan.borrower_id])
    party_rows = raw_rows("portfolio_loanparty", "loan_id = %s", [loan.pk])
    audit_rows = raw_rows("audit_auditevent")

    # then no ID number and no phone number is there in clear
    assert len(borrower_rows) == 1
    assert len(party_rows) == 1
    assert audit_rows
    for row in [*borrower_rows, *party_rows, *audit_rows]:
        for secret in (BORROWER_ID, BORROWER_PHONE, GUARANTOR_ID, GUARANTOR_PHONE):
            assert secret not in row
    # while the borrower's name, which is not secret, is
    assert "林芳" in borrower_rows[0]


def test_no_id_or_phone_number_is_anywhere_in_the_database_in_clear(db, tmp_path):
    import_sample_017(tmp_path)

    rows = raw_rows("portfolio_importbatch")

    assert rows
    assert not [row for row in rows if BORROWER_ID in row or GUARANTOR_PHONE in row]


def test_an_imported_borrowers_id_and_phone_decrypt(db, tmp_path):
    loan = import_sample_017(tmp_path)

    borrower = Borrower.objects.get(pk=loan.borrower_id)
    guarantor = LoanParty.objects.get(loan=loan)
    assert (borrower.id_no, borrower.phone) == (BORROWER_ID, BORROWER_PHONE)
    assert (guarantor.id_no, guarantor.phone) == (GUARANTOR_ID, GUARANTOR_PHONE)
    assert borrower.id_no_masked == "440305********9006"
    assert borrower.phone_masked == "154****5301"


def test_a_borrower_is_found_by_id_or_phone_number_through_the_hash(db, tmp_path):
    # given an imported borrower
    loan = import_sample_017(tmp_path)

    # when looked up by the hash of the ID number, or searched for by ID or phone number
    by_hash = Borrower.objects.get(id_no_hash=crypto.lookup_hash(BORROWER_ID))
    by_id = selectors.loan_search(Loan.objects.all(), q=BORROWER_ID)
    by_phone = selectors.loan_search(Loan.objects.all(), q=f" {BORROWER_PHONE} ")

    # then each finds it
    assert by_hash.pk == loan.borrower_id
    assert list(by_id) == [loan]
    assert list(by_phone) == [loan]


def test_the_lookup_hash_ignores_case_and_spaces_but_not_digits():
    assert crypto.lookup_hash("32010219980601035x") == crypto.lookup_hash("32010219980601035X")
    assert crypto.lookup_hash(" 320102 19980601035X ") == crypto.lookup_hash("32010219980601035X")
    assert crypto.lookup_hash("320102199806010351") != crypto.lookup_hash("32010219980601035X")
    # a keyed hash, not a bare digest anyone can recompute
    assert (
        crypto.lookup_hash("32010219980601035X")
        != hashlib.sha256(b"32010219980601035X").hexdigest()
    )


# --- masks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("110101199003071234", "110101********1234"),
        ("91420106MACHE64F59", "914201********4F59"),
        ("", ""),
    ],
)
def test_mask_id(value, masked):
    assert crypto.mask_id(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("010-62345678", "010-****5678"),
        ("0571-3263197", "0571-***3197"),
        ("", ""),
    ],
)
def test_mask_phone(value, masked):
    assert crypto.mask_phone(value) == masked


# --- keys ----------------------------------------------------------------------------------


def test_encryption_is_not_deterministic_and_round_trips(settings):
    settings.HUIFANG_DATA_KEY = "key-A"

    first, second = crypto.encrypt(BORROWER_ID), crypto.encrypt(BORROWER_ID)

    assert first != second  # the same ID twice does not show as the same ciphertext
    assert BORROWER_ID not in first
    assert crypto.decrypt(first) == crypto.decrypt(second) == BORROWER_ID


def test_data_encrypted_under_the_old_key_is_read_after_rotation(settings):
    # given a value encrypted under key A
    settings.HUIFANG_DATA_KEY = "key-A"
    token = crypto.encrypt(BORROWER_ID)

    # when key B is put first, with A kept to read old data
    settings.HUIFANG_DATA_KEY = "key-B,key-A"

    # then the old value still reads, and new values are written under B
    assert crypto.decrypt(token) == BORROWER_ID
    new_token = crypto.encrypt(BORROWER_PHONE)
    settings.HUIFANG_DATA_KEY = "key-B"
    assert crypto.decrypt(new_token) == BORROWER_PHONE


def test_a_stored_borrower_is_read_after_rotation(db, settings, tmp_path):
    settings.HUIFANG_DATA_KEY = "key-A"
    loan = import_sample_017(tmp_path)

    settings.HUIFANG_DATA_KEY = "key-B, key-A"

    borrower = Borrower.objects.get(pk=loan.borrower_id)
    assert (borrower.id_no, borrower.phone) == (BORROWER_ID, BORROWER_PHONE)


def test_a_wrong_key_raises_value_error(settings):
    settings.HUIFANG_DATA_KEY = "key-A"
    token = crypto.encrypt(BORROWER_ID)

    settings.HUIFANG_DATA_KEY = "key-C"

    with pytest.raises(ValueError, match="cannot be decrypted"):
        crypto.decrypt(token)
    settings.HUIFANG_DATA_KEY = "key-B,key-C"
    with pytest.raises(ValueError):
        crypto.decrypt(token)


def test_a_borrower_is_still_found_by_id_number_after_rotation(db, settings, tmp_path):
    # given a borrower imported under key A
    settings.HUIFANG_DATA_KEY = "key-A"
    loan = import_sample_017(tmp_path)

    # when the keys are rotated as settings.py says (the new key first)
    settings.HUIFANG_DATA_KEY = "key-B,key-A"

    # then the borrower is still found by ID number, and a re-import does not duplicate them
    assert list(selectors.loan_search(Loan.objects.all(), q=BORROWER_ID)) == [loan]
    import_sample_017(tmp_path)
    assert Borrower.objects.count() == 1

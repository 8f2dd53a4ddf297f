"""Importing files from the web: upload, report, confirm or discard; the templates."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huifang.accounts.gate import SYSTEM
from huifang.portfolio.models import ImportBatch, Loan, Repayment
from huifang.portfolio.services.imports import import_file
from huifang.web.tests.conftest import SYSTEM_ACTOR, csv_bytes, loan_row, resident_id

LIST = reverse("import_list")


def upload(
    client, data: bytes, *, kind: str = "loans", name: str = "loans.csv", partial: bool = False
):
    form = {"kind": kind, "file": SimpleUploadedFile(name, data)}
    if partial:
        form["partial"] = "on"
    return client.post(LIST, form)


def last_batch() -> ImportBatch:
    return ImportBatch.objects.latest("pk")


def good_rows() -> list[dict[str, str]]:
    return [
        loan_row(
            loan_no="HT-N-001",
            borrower_name="陈新",
            borrower_id_no=resident_id("11010119920303111"),
        ),
        loan_row(
            loan_no="HT-N-002",
            borrower_name="林晓",
            borrower_id_no=resident_id("11010119930404222"),
        ),
    ]


def test_page_renders_for_importers(portfolio, login):
    for user in (portfolio.admin, portfolio.risk_manager):
        response = login(user).get(LIST)
        assert response.status_code == 200
        html = response.content.decode()
        assert "上传文件" in html and "部分导入" in html
        assert reverse("import_template", args=["loans"]) in html
        assert reverse("import_template", args=["repayments"]) in html


def test_others_get_403(portfolio, login):
    batches = ImportBatch.objects.count()  # the fixture's own import
    for user in (portfolio.officer_a, portfolio.reviewer, portfolio.auditor):
        client = login(user)
        assert client.get(LIST).status_code == 403
        assert upload(client, csv_bytes(good_rows())).status_code == 403
        assert client.get(reverse("import_template", args=["loans"])).status_code == 403
    assert ImportBatch.objects.count() == batches


def test_bad_file_reports_errors_and_changes_nothing(portfolio, login):
    client = login(portfolio.admin)
    loans = Loan.objects.count()
    bad = good_rows()
    bad[1]["borrower_id_no"] = "110101199304042220"  # wrong check digit
    bad[0]["principal"] = "-5"
    response = upload(client, csv_bytes(bad))
    batch = last_batch()
    assert response.status_code == 302
    assert response["Location"] == reverse("import_detail", args=[batch.pk])
    assert batch.status == ImportBatch.Status.REJECTED
    report = client.get(response["Location"])
    html = report.content.decode()
    assert "发现 2 个错误，未做任何修改" in html
    assert "确认导入" not in html
    assert "校验位不正确" in html and "金额必须大于 0" in html
    assert ">2<" in html and ">3<" in html  # spreadsheet rows of the two bad lines
    assert Loan.objects.count() == loans


def test_good_file_then_confirm(portfolio, login):
    client = login(portfolio.admin)
    response = upload(client, csv_bytes(good_rows()))
    batch = last_batch()
    html = client.get(response["Location"]).content.decode()
    assert "文件无误，可以导入" in html
    assert "确认导入" in html and "放弃" in html
    assert not Loan.objects.filter(loan_no__startswith="HT-N-").exists()  # nothing until confirmed
    response = client.post(reverse("import_apply", args=[batch.pk]))
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "导入完成" in html
    assert "新增 2，更新 0，未变 0" in html
    assert set(
        Loan.objects.filter(loan_no__startswith="HT-N-").values_list("loan_no", flat=True)
    ) == {
        "HT-N-001",
        "HT-N-002",
    }
    batch.refresh_from_db()
    assert (batch.status, batch.created_count) == (ImportBatch.Status.APPLIED, 2)
    # Applying twice does nothing more.
    response = client.post(reverse("import_apply", args=[batch.pk]))
    assert response.status_code == 302
    assert Loan.objects.filter(loan_no__startswith="HT-N-").count() == 2


def test_apply_is_post_only(portfolio, login):
    client = login(portfolio.admin)
    upload(client, csv_bytes(good_rows()))
    batch = last_batch()
    assert client.get(reverse("import_apply", args=[batch.pk])).status_code == 405
    assert not Loan.objects.filter(loan_no__startswith="HT-N-").exists()


def test_discard(portfolio, login):
    client = login(portfolio.admin)
    upload(client, csv_bytes(good_rows()))
    batch = last_batch()
    response = client.post(reverse("import_discard", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED
    assert client.post(reverse("import_apply", args=[batch.pk])).status_code == 302
    assert not Loan.objects.filter(loan_no__startswith="HT-N-").exists()
    assert "已放弃" in client.get(reverse("import_detail", args=[batch.pk])).content.decode()


def test_partial_import(portfolio, login):
    client = login(portfolio.admin)
    rows = good_rows()
    rows[1]["term_months"] = "999"
    response = upload(client, csv_bytes(rows), partial=True)
    html = client.get(response["Location"]).content.decode()
    assert "发现 1 个错误" in html and "部分导入" in html
    batch = last_batch()
    client.post(reverse("import_apply", args=[batch.pk]))
    assert list(
        Loan.objects.filter(loan_no__startswith="HT-N-").values_list("loan_no", flat=True)
    ) == ["HT-N-001"]


def test_repayment_file(portfolio, login):
    client = login(portfolio.admin)
    data = "借款合同编号,还款日期,还款金额\nHT-A-001,2024-02-15,1000.00\n".encode()
    response = upload(client, data, kind="repayments", name="还款.csv")
    batch = last_batch()
    assert "文件无误" in client.get(response["Location"]).content.decode()
    client.post(reverse("import_apply", args=[batch.pk]))
    assert Repayment.objects.filter(loan__loan_no="HT-A-001", batch=batch).count() == 1


def test_unsupported_file_type_is_refused_at_the_field(portfolio, login):
    batches = ImportBatch.objects.count()
    response = upload(login(portfolio.admin), b"hello", name="loans.pdf")
    assert response.status_code == 200
    assert "只支持 CSV 或 XLSX 文件" in response.content.decode()
    assert ImportBatch.objects.count() == batches


def test_batch_visible_to_uploader_or_importers_only(portfolio, login):
    mine = ImportBatch.objects.create(
        kind="loans", filename="mine.csv", sha256="0" * 64, content=b"", status="rejected",
        uploaded_by=portfolio.officer_a,
    )  # fmt: skip
    theirs = ImportBatch.objects.create(
        kind="loans", filename="theirs.csv", sha256="1" * 64, content=b"", status="rejected",
        uploaded_by=portfolio.admin,
    )  # fmt: skip
    officer = login(portfolio.officer_a)
    assert officer.get(reverse("import_detail", args=[mine.pk])).status_code == 200
    assert officer.get(reverse("import_detail", args=[theirs.pk])).status_code == 403
    assert (
        login(portfolio.risk_manager).get(reverse("import_detail", args=[mine.pk])).status_code
        == 200
    )


def test_recent_batches_listed(portfolio, login):
    client = login(portfolio.admin)
    upload(client, csv_bytes(good_rows()), name="第一批.csv")
    html = client.get(LIST).content.decode()
    assert "第一批.csv" in html and "吴管理" in html


def test_loan_template_is_valid_and_importable(portfolio, login):
    response = login(portfolio.admin).get(reverse("import_template", args=["loans"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet, notes = workbook.worksheets
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["借款合同编号", "借款人", "借款人类型", "证件号码"]
    bold = {c.value: c.font.b for c in sheet[1]}
    assert bold["借款合同编号"] and not bold["联系电话"]
    assert notes.title == "填写说明"
    assert [c.value for c in notes[1]] == ["表头", "英文列名", "必填", "格式"]
    assert notes.cell(row=2, column=2).value == "loan_no"
    # The example row is accepted by the importer, headers and all.
    report = import_file(
        kind="loans",
        data=response.content,
        filename="template.xlsx",
        user=SYSTEM,
        actor=SYSTEM_ACTOR,
    )
    assert report.errors == [] and report.created == 1
    loan = Loan.objects.get(loan_no="HT-2025-000001")
    assert str(loan.annual_rate.normalize()) == "0.0435"
    assert loan.parties.count() == 1


def test_repayment_template_is_importable(portfolio, login):
    client = login(portfolio.admin)
    loans = client.get(reverse("import_template", args=["loans"])).content
    import_file(kind="loans", data=loans, filename="t.xlsx", user=SYSTEM, actor=SYSTEM_ACTOR)
    response = client.get(reverse("import_template", args=["repayments"]))
    report = import_file(
        kind="repayments", data=response.content, filename="r.xlsx", user=SYSTEM, actor=SYSTEM_ACTOR
    )
    assert report.errors == [] and report.created == 1


def test_unknown_template_is_404(portfolio, login):
    assert login(portfolio.admin).get("/imports/template/visits.xlsx").status_code == 404

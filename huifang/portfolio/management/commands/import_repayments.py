from huifang.portfolio.management.commands._import import ImportCommand


class Command(ImportCommand):
    help = "Record repayments from CSV or XLSX (all-or-nothing unless --partial)."
    kind = "repayments"

    def summary(self, report):
        return f"{report.filename}: {report.created} repayments recorded"

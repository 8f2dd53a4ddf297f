from huifang.portfolio.management.commands._import import ImportCommand


class Command(ImportCommand):
    help = "Import or update loans from CSV or XLSX (upsert by loan_no; all-or-nothing unless --partial)."
    kind = "loans"

    def summary(self, report):
        return (
            f"{report.filename}: {report.total_rows} rows, {report.created} loans created, "
            f"{report.updated} updated, {report.unchanged} unchanged"
        )

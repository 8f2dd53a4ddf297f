"""Demo data: a few hundred realistic loans with their borrowers, parties, collateral and repayments.

Everything goes through the same services as real data (import records,
upsert, repayments), so the demo exercises the product, not a side door.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from faker import Faker
from stdnum.cn import ric, uscc

from huifang.accounts.models import Branch, Role, User
from huifang.audit.services import Actor, Change, record_many
from huifang.portfolio import loanmath
from huifang.portfolio.importing.loans import LoanRecord
from huifang.portfolio.models import Collateral, CollateralKind, Loan, LoanParty, PartyRole
from huifang.portfolio.services.loans_upsert import upsert_loans
from huifang.portfolio.services.repayments import record_repayments

DEMO_PASSWORD = "huifang-demo-2026"
BRANCHES = [
    ("北京总部", "BJ", "110105"),
    ("上海分公司", "SH", "310104"),
    ("深圳分公司", "SZ", "440305"),
    ("成都营业部", "CD", "510104"),
    ("武汉分公司", "WH", "420106"),
]
PRODUCTS = [
    # (product, borrower type, principal range in yuan, terms, methods, rate range)
    (
        "个人消费贷",
        "individual",
        (20_000, 300_000),
        (6, 12, 24, 36),
        ("equal_installment", "equal_principal"),
        (0.0435, 0.18),
    ),
    (
        "汽车消费贷",
        "individual",
        (50_000, 400_000),
        (12, 24, 36, 60),
        ("equal_installment",),
        (0.045, 0.12),
    ),
    (
        "个人经营贷",
        "individual",
        (100_000, 1_000_000),
        (12, 24, 36),
        ("interest_first", "equal_installment"),
        (0.05, 0.15),
    ),
    (
        "小微企业流动资金贷",
        "enterprise",
        (300_000, 3_000_000),
        (6, 12, 24),
        ("interest_first", "bullet", "equal_principal"),
        (0.045, 0.12),
    ),
    (
        "设备购置贷",
        "enterprise",
        (500_000, 5_000_000),
        (36, 48, 60),
        ("equal_installment", "equal_principal"),
        (0.05, 0.10),
    ),
    (
        "供应链应收账款融资",
        "enterprise",
        (200_000, 2_000_000),
        (3, 6, 12),
        ("bullet", "interest_first"),
        (0.06, 0.14),
    ),
]
PURPOSES = {
    "individual": ["家庭装修", "购买家电", "支付学费", "医疗支出", "购车", "店铺装修", "进货周转"],
    "enterprise": [
        "补充流动资金",
        "采购原材料",
        "购置生产设备",
        "支付货款",
        "厂房改造",
        "扩大经营",
    ],
}
INDUSTRIES = ["服装", "餐饮", "电子", "建材", "物流", "食品", "机械", "家具", "印刷", "农副产品"]
REGIONS = ["110105", "310104", "440305", "510104", "420106", "330106", "320102", "370102"]


@dataclass
class DemoAccount:
    username: str
    role: str
    branch: str | None


def resident_id(fake: Faker, rng: random.Random) -> str:
    born = fake.date_of_birth(minimum_age=22, maximum_age=62)
    body = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def credit_code(rng: random.Random) -> str:
    """A unified social credit code: 91 (an enterprise), a region, an organisation code, a check character."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = f"91{rng.choice(REGIONS)}" + "".join(rng.choice(alphabet) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"


def ensure_users(actor: Actor) -> list[DemoAccount]:
    accounts = [
        DemoAccount("admin", Role.ADMIN, None),
        DemoAccount("risk", Role.RISK_MANAGER, None),
        DemoAccount("auditor", Role.AUDITOR, None),
        DemoAccount("reviewer", Role.REVIEWER, None),
    ]
    for name, code, _region in BRANCHES:
        accounts.append(DemoAccount(f"officer_{code.lower()}", Role.OFFICER, name))
        accounts.append(DemoAccount(f"officer_{code.lower()}2", Role.OFFICER, name))
        accounts.append(DemoAccount(f"reviewer_{code.lower()}", Role.REVIEWER, name))
    fake = Faker("zh_CN")
    fake.seed_instance(7)
    changes = []
    for name, code, _region in BRANCHES:
        branch, created = Branch.objects.get_or_create(name=name, defaults={"code": code})
        if created:
            changes.append(
                Change(
                    action="create",
                    object_type="accounts.branch",
                    object_id=str(branch.pk),
                    summary=name,
                    after={"name": name, "code": code},
                )
            )
    for account in accounts:
        if User.objects.filter(username=account.username).exists():
            continue
        home = Branch.objects.get(name=account.branch) if account.branch else None
        user = User.objects.create_user(
            username=account.username,
            password=DEMO_PASSWORD,
            role=account.role,
            branch=home,
            display_name=fake.name(),
            email=f"{account.username}@example.invalid",
        )
        changes.append(
            Change(
                action="create",
                object_type="accounts.user",
                object_id=str(user.pk),
                summary=user.username,
                after={"username": user.username, "role": user.role, "branch": account.branch},
            )
        )
    record_many(actor, changes)
    return accounts


def loan_records(count: int, today: date, seed: int = 2026) -> list[LoanRecord]:
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    records = []
    for n in range(1, count + 1):
        product, kind, (low, high), terms, methods, (r_low, r_high) = rng.choice(PRODUCTS)
        term = rng.choice(terms)
        method = rng.choice(methods)
        if method == "bullet" and term > 12:
            method = "interest_first"
        # Disbursed within the last five years, most loans still running.
        disbursed = today - timedelta(days=rng.randint(20, min(term * 30 + 200, 1800)))
        principal = Decimal(rng.randrange(low // 1000, high // 1000 + 1) * 1000)
        rate = Decimal(str(round(rng.uniform(r_low, r_high), 4)))
        branch, code, _region = rng.choice(BRANCHES)
        if kind == "individual":
            name, id_no = fake.name(), resident_id(fake, rng)
        else:
            name = f"{fake.city_name()}{fake.company_prefix()}{rng.choice(INDUSTRIES)}有限公司"
            id_no = credit_code(rng)
        guarantor = rng.random() < (0.6 if kind == "enterprise" else 0.25)
        records.append(
            LoanRecord(
                row=n + 1,
                loan_no=f"HF{disbursed:%Y%m}-{n:05d}",
                borrower_name=name,
                borrower_type=kind,
                borrower_id_no=id_no,
                borrower_phone=mobile(rng) if rng.random() < 0.95 else "",
                product=product,
                principal=principal,
                annual_rate=rate,
                term_months=term,
                disbursement_date=disbursed,
                maturity_date=None,
                repayment_method=method,
                purpose=rng.choice(PURPOSES[kind]),
                risk_level=rng.choices(["low", "medium", "high"], [3, 6, 1])[0],
                branch=branch,
                officer=f"officer_{code.lower()}{rng.choice(['', '2'])}",
                guarantor_name=fake.name() if guarantor else "",
                guarantor_id_no=resident_id(fake, rng) if guarantor else "",
                guarantor_phone=mobile(rng) if guarantor else "",
            )
        )
    return records


def payments_for(loan: Loan, today: date, rng: random.Random) -> list[tuple[date, Decimal]]:
    """Pay the installments due so far: mostly on time, some late, a few stopping altogether."""
    schedule = loanmath.build_schedule(
        principal=loan.principal,
        annual_rate=loan.annual_rate,
        term_months=loan.term_months,
        disbursement_date=loan.disbursement_date,
        maturity_date=loan.maturity_date,
        method=loan.repayment_method,
    )
    behaviour = rng.choices(["good", "late", "stopped", "partial"], [78, 10, 8, 4])[0]
    stop_after = rng.randint(1, max(1, len(schedule))) if behaviour == "stopped" else None
    payments = []
    for index, inst in enumerate(schedule):
        if inst.due_date >= today or inst.payment == 0:
            continue
        if stop_after is not None and index >= stop_after:
            break
        paid_on = inst.due_date + timedelta(
            days=rng.randint(5, 40) if behaviour == "late" else rng.randint(-3, 0)
        )
        if paid_on >= today:
            continue
        amount = inst.payment
        if behaviour == "partial" and index == len([i for i in schedule if i.due_date < today]) - 1:
            amount = (inst.payment * Decimal("0.6")).quantize(Decimal("0.01"))
        payments.append((paid_on, amount))
    return payments


def add_parties_and_collateral(
    loans: list[Loan], rng: random.Random, fake: Faker, actor: Actor
) -> None:
    changes = []
    for loan in loans:
        if loan.borrower.kind == "enterprise":
            rep = LoanParty(
                loan=loan,
                role=PartyRole.REPRESENTATIVE,
                kind="individual",
                name=fake.name(),
                relation="法定代表人",
            )
            rep.id_no, rep.phone = resident_id(fake, rng), mobile(rng)
            rep.save()
            changes.append(
                Change(
                    action="create",
                    object_type="portfolio.loanparty",
                    object_id=loan.loan_no,
                    summary=f"{loan.loan_no} 授权代表 {rep.name}",
                    after={"role": rep.role, "name": rep.name},
                )
            )
        if loan.principal >= 500_000 and rng.random() < 0.7:
            custodian = None
            if rng.random() < 0.5:
                custodian = LoanParty(
                    loan=loan,
                    role=PartyRole.CUSTODIAN,
                    kind="individual",
                    name=fake.name(),
                    relation="抵押物保管人",
                )
                custodian.id_no, custodian.phone = resident_id(fake, rng), mobile(rng)
                custodian.save()
            kind = rng.choice(
                [
                    CollateralKind.REAL_ESTATE,
                    CollateralKind.EQUIPMENT,
                    CollateralKind.VEHICLE,
                    CollateralKind.INVENTORY,
                ]
            )
            description = {
                CollateralKind.REAL_ESTATE: f"{fake.city_name()}{fake.street_name()}{rng.randint(1, 300)}号商铺",
                CollateralKind.EQUIPMENT: f"数控机床 {rng.randint(2, 12)} 台",
                CollateralKind.VEHICLE: f"厢式货车 {rng.randint(1, 5)} 辆",
                CollateralKind.INVENTORY: "库存成品（仓单质押）",
            }[kind]
            item = Collateral.objects.create(
                loan=loan,
                kind=kind,
                description=description,
                custodian=custodian,
                appraised_value=(
                    loan.principal * Decimal(str(round(rng.uniform(1.2, 2.0), 2)))
                ).quantize(Decimal("0.01")),
                location=fake.address()[:300],
                registration_no=f"DJ{rng.randint(10**9, 10**10 - 1)}",
            )
            changes.append(
                Change(
                    action="create",
                    object_type="portfolio.collateral",
                    object_id=loan.loan_no,
                    summary=f"{loan.loan_no} {item.description}",
                    after={"kind": item.kind, "appraised_value": item.appraised_value},
                )
            )
    record_many(actor, changes)


def load_demo(*, loans: int = 300, seed: int = 2026) -> tuple[list[DemoAccount], int]:
    """Create the demo accounts and portfolio, unless loans exist already. Returns (accounts, loans created)."""
    actor = Actor(user_id=None, name="system", via="command")
    today = timezone.localdate()
    with transaction.atomic():
        accounts = ensure_users(actor)
        if Loan.objects.exists():
            return accounts, 0
        records = loan_records(loans, today, seed)
        upsert_loans(records, actor=actor, created_by=None)
        rng = random.Random(seed + 1)
        fake = Faker("zh_CN")
        fake.seed_instance(seed + 1)
        portfolio = list(Loan.objects.select_related("borrower").order_by("loan_no"))
        for loan in portfolio:
            loan.borrower.address = (
                fake.address()[:300] if not loan.borrower.address else loan.borrower.address
            )
        type(portfolio[0].borrower).objects.bulk_update(
            [x.borrower for x in portfolio], ["address"]
        )
        add_parties_and_collateral(portfolio, rng, fake, actor)
        entries = [
            (loan, paid_on, amount)
            for loan in portfolio
            for paid_on, amount in payments_for(loan, today, rng)
        ]
        record_repayments(entries, actor=actor, by=None, source="import")
    # Follow-up visits from a month ago on, so that the due lists show some overdue work.
    from huifang.followups.services.planning import plan_followups

    plan_followups(as_of=today - timedelta(days=30), actor=actor, trigger="demo")
    # Some of the past month's visits carried out and reviewed, for the queue and the archive.
    from django.test.utils import override_settings

    from huifang.reviews.demo import load_visit_work

    # The demo accounts' addresses are fictitious: no mail for the "returned" notices.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        load_visit_work(today=today)
        load_risk_work(today=today, actor=actor)
        from huifang.restructuring.demo import load_restructuring_work

        load_restructuring_work(today=today)
    return accounts, len(records)


def load_risk_work(*, today: date, actor: Actor) -> None:
    """Departments staffed, the nightly risk scan and a classification run, as of today."""
    from huifang.classification.services import classify
    from huifang.departments.models import Department
    from huifang.risk.services import risk_from_repayments

    risk = User.objects.filter(username="risk").first()
    for department in Department.objects.all():
        members = [risk] if risk else []
        if department.code == "collections":
            members += list(User.objects.filter(role=Role.OFFICER, username__endswith="2"))
        department.members.add(*members)
        if department.code == "risk" and risk:
            department.head = risk
            department.save(update_fields=["head"])
    risk_from_repayments(as_of=today, actor=actor)
    classify(as_of=today, actor=actor, trigger="command")

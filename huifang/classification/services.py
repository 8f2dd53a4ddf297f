"""Writes of the classification app: the run (`classify`) and the confirmation workflow.

`classify` is the one body the command, the daily task, the page and the API
call. It works in chunks of loans, a constant number of queries each, and
writes one suggestion per loan in force (classification.md). Where a
suggestion differs from the loan's confirmed category the system proposes it
(初分); a risk manager then reviews (复核) and approves (审批) it or changes it
with a written reason — never their own proposal.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.accounts.gate import deny, require
from huifang.audit.services import Actor, Change, record
from huifang.classification import facts as loader
from huifang.classification.floors import RANK, Facts, RulesError, suggest, validate_rules
from huifang.classification.models import (
    ClassificationRun,
    LoanCategory,
    RuleSetVersion,
    Step,
    Suggestion,
)
from huifang.classification.selectors import (
    PENDING_STEPS,
    confirmed_categories,
    current_rules,
    latest_run,
    latest_steps,
    latest_suggestions,
)
from huifang.lib.bulk import chunked, insert_objects
from huifang.portfolio import loanmath
from huifang.portfolio.models import Loan

CHUNK_LOANS = 2000
ProgressCallback = Callable[[int], None]
_CLASSIFY_LOCK = 7_270_915


def loans_to_classify(as_of: date):
    """Candidate loans of a run (see facts.loans_in_force; those repaid by as_of drop out later)."""
    return loader.loans_in_force(as_of)


def classify(
    *,
    as_of: date,
    actor: Actor,
    trigger: str,
    progress: ProgressCallback | None = None,
    chunk_loans: int = CHUNK_LOANS,
    rules: dict[str, Any] | None = None,
) -> ClassificationRun:
    """A suggestion for every loan disbursed on or before `as_of` and not closed.

    `rules`: a rule set (floors.py) to apply instead of the current one
    (the latest saved version, else classification.md's default).
    """
    rules = validate_rules(rules) if rules is not None else current_rules()
    previous_run = latest_run()
    run = ClassificationRun.objects.create(as_of=as_of, trigger=trigger, by_id=actor.user_id)
    loan_ids = list(loans_to_classify(as_of).order_by("pk").values_list("pk", flat=True))
    for ids in chunked(loan_ids, chunk_loans):
        with transaction.atomic():
            loans, changed, proposed = _classify_chunk(run, previous_run, ids, as_of, rules)
        run.loans += loans
        run.changed += changed
        run.proposed += proposed
        if progress:
            progress(len(ids))
    with transaction.atomic():
        run.finished_at = timezone.now()
        run.save()
        record(
            actor,
            Change(
                action="classify",
                object_type="classification.classificationrun",
                object_id=str(run.pk),
                summary=f"五级分类 {as_of}: {run.loans} 笔贷款，{run.changed} 笔变化",
                after={
                    "as_of": as_of,
                    "trigger": trigger,
                    "loans": run.loans,
                    "changed": run.changed,
                    "proposed": run.proposed,
                },
            ),
        )
    return run


def _classify_chunk(
    run: ClassificationRun,
    previous_run: ClassificationRun | None,
    ids,
    as_of: date,
    rules: dict[str, Any],
) -> tuple[int, int, int]:
    if connection.vendor == "postgresql":
        # Two runs at once take turns chunk by chunk, so neither proposes a loan twice.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CLASSIFY_LOCK])
    allocations = loader.allocations(ids)
    in_force = [i for i in ids if not loader.repaid_by(allocations[i], as_of)]
    signals = loader.confirmed_signals(in_force, as_of, codes=tuple(rules.get("signals", {})))
    warnings = loader.warning_levels(in_force)
    observed = loader.in_observation(in_force, as_of)
    confirmed = confirmed_categories(in_force)
    # "Changed": against the loan's suggestion in the previous run.
    before = dict(
        Suggestion.objects.filter(run=previous_run, loan_id__in=in_force).values_list(
            "loan_id", "category"
        )
        if previous_run
        else ()
    )
    steps = latest_steps(in_force)

    suggestions = []
    changed = 0
    for loan_id in in_force:
        dpd = loanmath.days_past_due(allocations[loan_id], as_of)
        category, reasons = suggest(
            Facts(
                dpd=dpd,
                signals=signals.get(loan_id, {}),
                warning_levels=frozenset(warnings.get(loan_id, ())),
                in_observation=loan_id in observed,
                previous=confirmed.get(loan_id),
            ),
            rules,
        )
        if before.get(loan_id, category) != category:
            changed += 1
        suggestions.append(
            Suggestion(
                run_id=run.pk,
                loan_id=loan_id,
                as_of=as_of,
                dpd=dpd,
                category=category,
                reasons=reasons,
                previous=confirmed.get(loan_id, ""),
            )
        )
    insert_objects(suggestions)

    # 初分 by the system: where the suggestion differs from the confirmed category and
    # no proposal stands for it. A person's pending proposal is left for the approver.
    to_propose = []
    for s in suggestions:
        latest = steps.get(s.loan_id)
        if latest is not None and latest.step in PENDING_STEPS:
            if latest.by_id is None and latest.category != s.category:
                to_propose.append(s)
        elif confirmed.get(s.loan_id) != s.category:
            to_propose.append(s)
    if to_propose:
        ids_by_loan = dict(
            Suggestion.objects.filter(
                run_id=run.pk, loan_id__in=[s.loan_id for s in to_propose]
            ).values_list("loan_id", "pk")
        )
        now = timezone.now()
        insert_objects(
            [
                LoanCategory(
                    loan_id=s.loan_id,
                    category=s.category,
                    effective_date=as_of,
                    step=Step.PROPOSED,
                    suggestion_id=ids_by_loan[s.loan_id],
                    at=now,
                    reason="",
                )
                for s in to_propose
            ]
        )
    return len(in_force), changed, len(to_propose)


# --- the rule set -------------------------------------------------------------------------

MAX_NOTE = 200


def _known_signal_codes() -> set[str] | None:
    try:
        from huifang.risk.codes import SignalCode
    except ImportError:
        return None
    return set(SignalCode.values)


def rules_save(*, rules: Any, note: str, user: Any, actor: Actor) -> RuleSetVersion:
    """A new version of the floors' rule set (admins and risk managers), audited.

    classification.md: "The rule set is data an admin can extend"; the DPD
    table and the default floors cannot be weakened (floors.validate_rules).
    Nothing is saved when the rules are wrong or unchanged.
    """
    require(user, "risk.rules", via=actor.via, ip=actor.ip)
    try:
        checked = validate_rules(rules)
    except RulesError as exc:
        raise _invalid("rules", str(exc)) from exc
    known = _known_signal_codes()
    if known is not None:
        unknown = sorted(set(checked["signals"]) - known)
        if unknown:
            raise _invalid(
                "rules",
                _("未知的风险信号代码：%(codes)s（可用：%(known)s）。")
                % {"codes": "、".join(unknown), "known": "、".join(sorted(known))},
            )
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise _invalid("note", _("说明最多 %(n)d 个字。") % {"n": MAX_NOTE})
    with transaction.atomic():
        latest = RuleSetVersion.objects.select_for_update().order_by("-number").first()
        before = current_rules()
        if checked == before:
            raise _invalid("rules", _("规则与当前生效的规则相同，没有保存新版本。"))
        version = RuleSetVersion.objects.create(
            number=(latest.number if latest else 0) + 1,
            rules=checked,
            note=note,
            created_by_id=actor.user_id,
        )
        record(
            actor,
            Change(
                action="classification_rules_save",
                object_type="classification.rulesetversion",
                object_id=str(version.pk),
                summary=f"五级分类规则第 {version.number} 版" + (f"：{note}" if note else ""),
                before={"rules": before},
                after={"number": version.number, "rules": checked, "note": note},
            ),
        )
    return version


# --- the confirmation workflow ------------------------------------------------------------


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _check_category(category: str) -> None:
    if category not in RANK:
        raise _invalid("category", _("分类“%(value)s”无效。") % {"value": category})


def _audit(actor: Actor, row: LoanCategory, loan: Loan, action: str, summary: str) -> None:
    record(
        actor,
        Change(
            action=action,
            object_type="classification.loancategory",
            object_id=str(row.pk),
            summary=summary,
            after={
                "loan": loan.loan_no,
                "step": row.step,
                "category": row.category,
                "effective_date": row.effective_date,
                "proposal": row.proposal_id,
                "reason": row.reason,
            },
        ),
    )


def _suggested(loan: Loan) -> str | None:
    latest = latest_suggestions([loan.pk]).get(loan.pk)
    return latest.category if latest else None


def _pending(loan: Loan) -> LoanCategory | None:
    latest = latest_steps([loan.pk]).get(loan.pk)
    return latest if latest is not None and latest.step in PENDING_STEPS else None


def classification_propose(
    *, loan: Loan, category: str, reason: str = "", user: Any, actor: Actor
) -> LoanCategory:
    """初分 by an officer or a risk manager; a reason is required when it differs from the suggestion."""
    require(user, "classification.propose", via=actor.via, ip=actor.ip)
    _check_category(category)
    reason = reason.strip()
    suggested = _suggested(loan)
    if suggested is not None and category != suggested and not reason:
        raise _invalid("reason", _("初分与系统建议不同，必须填写理由。"))
    with transaction.atomic():
        Loan.objects.select_for_update().filter(pk=loan.pk).first()
        row = LoanCategory.objects.create(
            loan=loan,
            category=category,
            effective_date=timezone.localdate(),
            step=Step.PROPOSED,
            suggestion=latest_suggestions([loan.pk]).get(loan.pk),
            by_id=actor.user_id,
            reason=reason,
        )
        _audit(actor, row, loan, "classification_propose", f"{loan.loan_no} 初分 {category}")
    return row


def _decide_checks(loan: Loan, user: Any, actor: Actor) -> LoanCategory:
    require(user, "classification.approve", via=actor.via, ip=actor.ip)
    pending = _pending(loan)
    if pending is None:
        raise _invalid("step", _("贷款 %(loan)s 没有待审批的分类。") % {"loan": loan.loan_no})
    proposal = pending.proposal or pending
    if getattr(user, "pk", None) is not None and user.pk == proposal.by_id:
        raise deny(
            user,
            what="classification: approving one's own proposal",
            object_type="classification.loancategory",
            object_id=str(proposal.pk),
            via=actor.via,
            ip=actor.ip,
        )
    return pending


def classification_review(*, loan: Loan, reason: str = "", user: Any, actor: Actor) -> LoanCategory:
    """复核: a risk manager agrees with the pending proposal; approval follows."""
    pending = _decide_checks(loan, user, actor)
    if pending.step == Step.REVIEWED:
        raise _invalid("step", _("该分类已复核，请审批。"))
    with transaction.atomic():
        row = LoanCategory.objects.create(
            loan=loan,
            category=pending.category,
            effective_date=pending.effective_date,
            step=Step.REVIEWED,
            suggestion=pending.suggestion,
            proposal=pending,
            by_id=actor.user_id,
            reason=reason.strip(),
        )
        _audit(actor, row, loan, "classification_review", f"{loan.loan_no} 复核 {row.category}")
    return row


def classification_approve(
    *, loan: Loan, reason: str = "", user: Any, actor: Actor
) -> LoanCategory:
    """审批: the pending proposal becomes the loan's category."""
    pending = _decide_checks(loan, user, actor)
    proposal = pending.proposal or pending
    with transaction.atomic():
        row = LoanCategory.objects.create(
            loan=loan,
            category=pending.category,
            effective_date=pending.effective_date,
            step=Step.APPROVED,
            suggestion=pending.suggestion,
            proposal=proposal,
            by_id=actor.user_id,
            reason=reason.strip(),
        )
        _audit(actor, row, loan, "classification_approve", f"{loan.loan_no} 审批 {row.category}")
    return row


def classification_change(
    *, loan: Loan, category: str, reason: str, user: Any, actor: Actor
) -> LoanCategory:
    """审批调整: the approver sets another category than proposed, with a written reason."""
    pending = _decide_checks(loan, user, actor)
    _check_category(category)
    reason = reason.strip()
    if not reason:
        raise _invalid("reason", _("调整分类必须填写理由。"))
    proposal = pending.proposal or pending
    with transaction.atomic():
        row = LoanCategory.objects.create(
            loan=loan,
            category=category,
            effective_date=pending.effective_date,
            step=Step.CHANGED,
            suggestion=pending.suggestion,
            proposal=proposal,
            by_id=actor.user_id,
            reason=reason,
        )
        _audit(
            actor,
            row,
            loan,
            "classification_change",
            f"{loan.loan_no} 审批调整 {pending.category} → {category}",
        )
    return row


def classification_act(
    *, loan: Loan, action: str, category: str = "", reason: str = "", user: Any, actor: Actor
) -> LoanCategory:
    """One entry for the page and the API: propose, review, approve or change."""
    if action == "propose":
        return classification_propose(
            loan=loan, category=category, reason=reason, user=user, actor=actor
        )
    if action == "review":
        return classification_review(loan=loan, reason=reason, user=user, actor=actor)
    if action == "approve":
        return classification_approve(loan=loan, reason=reason, user=user, actor=actor)
    if action == "change":
        return classification_change(
            loan=loan, category=category, reason=reason, user=user, actor=actor
        )
    raise _invalid("action", _("操作“%(value)s”无效。") % {"value": action})

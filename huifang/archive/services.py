"""Filing approved visits in the archive (domain.md, 回访后: 分类归档, searchable).

The archive entry is derived from the approved submission round; writing it is
part of the approval (reviews.services.review_decide calls
`archive_index_visit` inside its transaction), and `archive_reindex` rebuilds
every entry from the records, for instance after a change of dictionary.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from huifang.archive.models import VisitIndex
from huifang.archive.text import tokens_text
from huifang.audit.services import Actor, Change, record
from huifang.followups.models import Visit, VisitKind, VisitStatus
from huifang.questionnaires.models import QuestionnaireVersion
from huifang.reviews.models import Decision, Submission

REINDEX_BATCH = 500
UPDATED_FIELDS = [
    "branch",
    "loan",
    "kind",
    "channel",
    "occurred_on",
    "notes",
    "answers_text",
    "tokens",
    "indexed_at",
]


def _answers_text(definition: dict, answers: dict) -> str:
    """The answers as "label：answer" lines, options by their labels (questionnaires.schema)."""
    try:
        from huifang.questionnaires.schema import answers_text
    except ImportError:  # pragma: no cover — only while the schema module is not there yet
        return _plain_values(answers)
    return answers_text(definition, answers)


def _plain_values(answers: dict) -> str:
    values: list[str] = []
    for value in answers.values():
        items = value if isinstance(value, list) else [value]
        values += [item for item in items if isinstance(item, str)]
    return "\n".join(values)


@dataclass(frozen=True)
class _Entry:
    notes: str
    answers: str
    findings: list[str]


def _entry_of(submission: Submission, definition: dict) -> _Entry:
    findings = [str(f.get("label", "")) for f in submission.findings or [] if isinstance(f, dict)]
    return _Entry(
        notes=submission.notes or "",
        answers=_answers_text(definition, submission.answers or {}),
        findings=[f for f in findings if f],
    )


def _build(visit: Visit, submission: Submission, definition: dict) -> VisitIndex:
    # Labels (kinds, 是/否, units) in the source language, Chinese, whatever the caller's is.
    with translation.override(None):
        entry = _entry_of(submission, definition)
        kind_label = str(VisitKind(visit.kind).label) if visit.kind in VisitKind.values else ""
    answers = "\n".join([entry.answers, *entry.findings]).strip()
    text = "\n".join(
        [visit.loan.loan_no, visit.loan.borrower.name, kind_label, entry.notes, answers]
    )
    occurred = submission.occurred_at
    return VisitIndex(
        visit=visit,
        branch_id=visit.branch_id,
        loan_id=visit.loan_id,
        kind=visit.kind,
        channel=submission.channel or visit.channel,
        occurred_on=timezone.localdate(occurred) if occurred else visit.due_date,
        notes=entry.notes,
        answers_text=answers,
        tokens=tokens_text(text),
        indexed_at=timezone.now(),
    )


def _approved_round(visit: Visit) -> Submission | None:
    return (
        Submission.objects.filter(visit=visit, review__decision=Decision.APPROVED)
        .select_related("questionnaire")
        .order_by("-round")
        .first()
    )


def archive_index_visit(*, visit: Visit) -> VisitIndex | None:
    """File a visit in the archive from its approved round, or take it out if not approved.

    Idempotent. Returns the entry, or None when the visit is not (or no longer) approved.
    """
    with transaction.atomic():
        submission = _approved_round(visit) if visit.status == VisitStatus.APPROVED else None
        if submission is None:
            VisitIndex.objects.filter(visit=visit).delete()
            return None
        entry = _build(visit, submission, submission.questionnaire.definition)
        VisitIndex.objects.bulk_create(
            [entry], update_conflicts=True, unique_fields=["visit"], update_fields=UPDATED_FIELDS
        )
        return entry


def _batches(visits: QuerySet[Visit], size: int) -> Iterator[list[int]]:
    """Visit ids in ascending batches (keyset: no cursor held open between batches)."""
    last = 0
    while batch := list(
        visits.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size]
    ):
        yield batch
        last = batch[-1]


def _index_batch(ids: list[int], definitions: dict[int, dict]) -> int:
    visits = {
        v.pk: v
        for v in Visit.objects.filter(pk__in=ids, status=VisitStatus.APPROVED).select_related(
            "loan", "loan__borrower"
        )
    }
    rounds: dict[int, Submission] = {}
    for s in Submission.objects.filter(
        visit_id__in=list(visits), review__decision=Decision.APPROVED
    ).order_by("round"):
        rounds[s.visit_id] = s  # the last approved round wins
    missing = {s.questionnaire_id for s in rounds.values()} - definitions.keys()
    definitions.update(
        QuestionnaireVersion.objects.filter(pk__in=missing).values_list("pk", "definition")
    )
    entries = [
        _build(visits[visit_id], s, definitions[s.questionnaire_id])
        for visit_id, s in rounds.items()
    ]
    with transaction.atomic():
        VisitIndex.objects.filter(visit_id__in=ids).exclude(visit_id__in=list(rounds)).delete()
        VisitIndex.objects.bulk_create(
            entries, update_conflicts=True, unique_fields=["visit"], update_fields=UPDATED_FIELDS
        )
    return len(entries)


def archive_reindex(
    *, progress: bool | Callable[[int], Any] = False, actor: Actor | None = None
) -> int:
    """Rebuild the archive from the approved rounds of every approved visit; returns how many.

    Entries of visits no longer approved are removed. Works in batches, each its own
    transaction, so a large archive is never locked for long. `progress` is called
    with the number of visits done after each batch (True: a bar on stderr).
    """
    approved = Visit.objects.filter(status=VisitStatus.APPROVED)
    stale = VisitIndex.objects.exclude(visit__status=VisitStatus.APPROVED)
    with transaction.atomic():
        stale.delete()
    bar = None
    if progress is True:
        from tqdm import tqdm

        bar = tqdm(total=approved.count(), unit="visit")
        progress = bar.update
    definitions: dict[int, dict] = {}
    total = 0
    try:
        for batch in _batches(approved, REINDEX_BATCH):
            total += _index_batch(batch, definitions)
            if callable(progress):
                progress(len(batch))
    finally:
        if bar is not None:
            bar.close()
    if actor is not None:
        record(
            actor,
            Change(
                action="archive_reindex",
                object_type="archive.visitindex",
                summary=f"archive rebuilt: {total} approved visits indexed",
                after={"indexed": total},
            ),
        )
    return total

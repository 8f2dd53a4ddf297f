"""Follow-up policies as data (followup-policy.md), and the default one.

A policy is plain frozen values an admin can copy and edit, and a database
layer can load from rows: every number of the spec is a field here, none is a
literal in the planner. `planning.plan_loan` applies a policy.

- `Rule`: for one term class and risk level, the candidates of each subject.
- `Candidate`: one dated candidate (`anchor` ± `offset_days`) or, with
  `step_months`, a series `add_months(anchor, k * step_months)`, k = 1, 2, …
  (backwards from a maturity anchor). `order` is the selection order within
  the subject; a series takes its place there, its dates by ascending date.
- `ChannelRule`: the first rule matching a visit gives its channel.
"""

from dataclasses import dataclass
from datetime import date

from huifang.lib.dates import add_months

# Anchors.
DISBURSEMENT = "disbursement"
MATURITY = "maturity"
# Subject roles.
BORROWER = "borrower"
GUARANTOR = "guarantor"
# Term classes.
SHORT = "short"
LONG = "long"
# Risk levels.
LOW, MEDIUM, HIGH = "low", "medium", "high"
# Borrower types.
INDIVIDUAL, ENTERPRISE = "individual", "enterprise"
# Visit kinds.
FIRST, D90, PERIODIC, PRE_MATURITY = "first", "d90", "periodic", "pre_maturity"
# Channels.
PHONE, ONSITE, ONLINE, VIDEO = "phone", "onsite", "online", "video"


# A subject's compiled candidates in selection order:
# (kind, anchored on maturity, offset_days, step_months, channel).
SubjectPlan = tuple[tuple[str, bool, int | None, int | None, str], ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    kind: str
    subject_role: str
    anchor: str
    offset_days: int | None = None
    step_months: int | None = None
    order: int = 0

    def __post_init__(self) -> None:
        if self.anchor not in (DISBURSEMENT, MATURITY):
            raise ValueError(f"unknown anchor {self.anchor!r}")
        if (self.offset_days is None) == (self.step_months is None):
            raise ValueError("a candidate has either offset_days or step_months")
        if self.step_months is not None and self.step_months <= 0:
            raise ValueError("step_months must be positive")


@dataclass(frozen=True, slots=True)
class Rule:
    term_class: str
    risk_level: str
    candidates: tuple[Candidate, ...]

    def periodic_step(self) -> int | None:
        """The step of this rule's borrower `periodic` series, None for none."""
        for c in self.candidates:
            if c.kind == PERIODIC and c.subject_role == BORROWER:
                return c.step_months
        return None


@dataclass(frozen=True, slots=True)
class ChannelRule:
    """Gives `channel` to a visit matching every field that is not None."""

    channel: str
    kind: str | None = None
    subject_role: str | None = None
    borrower_type: str | None = None
    risk_level: str | None = None

    def matches(self, kind: str, subject_role: str, borrower_type: str, risk_level: str) -> bool:
        return (
            (self.kind is None or self.kind == kind)
            and (self.subject_role is None or self.subject_role == subject_role)
            and (self.borrower_type is None or self.borrower_type == borrower_type)
            and (self.risk_level is None or self.risk_level == risk_level)
        )


@dataclass(frozen=True)
class Policy:
    rules: tuple[Rule, ...]
    channel_rules: tuple[ChannelRule, ...]
    default_channel: str = PHONE
    # Term class: short-term when term_months <= short_term_max_months.
    short_term_max_months: int = 12
    # A candidate less than this many days from an accepted visit of the same
    # subject is rejected.
    collision_days: int = 15
    # The risk level of a loan that has none.
    default_risk_level: str = MEDIUM

    def __post_init__(self) -> None:
        keys = [(r.term_class, r.risk_level) for r in self.rules]
        if len(set(keys)) != len(keys):
            raise ValueError("two rules for the same term class and risk level")
        if self.collision_days < 0:
            raise ValueError("collision_days must not be negative")
        # Compiled subject plans by (term class, risk level, borrower type), filled
        # on first use: the planner runs a million times on a handful of keys.
        object.__setattr__(self, "_plans", {})

    def subject_plans(
        self, term_months: int, risk_level: str | None, borrower_type: str
    ) -> tuple[SubjectPlan, SubjectPlan]:
        """The borrower's and each guarantor's candidates, in selection order, with channels."""
        risk = risk_level or self.default_risk_level
        key = (self.term_class(term_months), risk, borrower_type)
        plans: dict = self._plans  # type: ignore[attr-defined]
        found = plans.get(key)
        if found is None:
            rule = self.rule_for(term_months, risk)
            found = plans[key] = (
                self._subject_plan(rule, BORROWER, borrower_type, risk),
                self._subject_plan(rule, GUARANTOR, borrower_type, risk),
            )
        return found

    def _subject_plan(self, rule: Rule, role: str, borrower_type: str, risk: str) -> SubjectPlan:
        candidates = sorted(
            (c for c in rule.candidates if c.subject_role == role), key=lambda c: c.order
        )
        return tuple(
            (
                c.kind,
                c.anchor == MATURITY,
                c.offset_days,
                c.step_months,
                self.channel_for(c.kind, role, borrower_type, risk),
            )
            for c in candidates
        )

    def term_class(self, term_months: int) -> str:
        return SHORT if term_months <= self.short_term_max_months else LONG

    def rule_for(self, term_months: int, risk_level: str | None) -> Rule:
        key = (self.term_class(term_months), risk_level or self.default_risk_level)
        for rule in self.rules:
            if (rule.term_class, rule.risk_level) == key:
                return rule
        raise ValueError(f"no follow-up rule for term class {key[0]!r}, risk level {key[1]!r}")

    def channel_for(self, kind: str, subject_role: str, borrower_type: str, risk_level: str) -> str:
        for rule in self.channel_rules:
            if rule.matches(kind, subject_role, borrower_type, risk_level):
                return rule.channel
        return self.default_channel


def default_rules(
    steps: dict[tuple[str, str], int | None],
    *,
    first_days: int = 30,
    d90_days: int = 90,
    pre_maturity_days: int = 30,
) -> tuple[Rule, ...]:
    """Rules in the default policy's shape, one per (term class, risk level) in `steps`.

    followup-policy.md, "Borrower visits" and "Guarantor visits": the borrower's
    `first`, `pre_maturity`, `d90`, then `periodic` in that selection order;
    each guarantor's `pre_maturity` then `d90`.
    """
    common = (
        Candidate(FIRST, BORROWER, DISBURSEMENT, offset_days=first_days, order=1),
        Candidate(PRE_MATURITY, BORROWER, MATURITY, offset_days=-pre_maturity_days, order=2),
        Candidate(D90, BORROWER, DISBURSEMENT, offset_days=d90_days, order=3),
        Candidate(PRE_MATURITY, GUARANTOR, MATURITY, offset_days=-pre_maturity_days, order=1),
        Candidate(D90, GUARANTOR, DISBURSEMENT, offset_days=d90_days, order=2),
    )
    rules = []
    for (term_class, risk_level), step in steps.items():
        periodic = (
            (Candidate(PERIODIC, BORROWER, DISBURSEMENT, step_months=step, order=4),)
            if step
            else ()
        )
        rules.append(Rule(term_class, risk_level, common + periodic))
    return tuple(rules)


# followup-policy.md, "Borrower visits": the periodic step in months.
DEFAULT_PERIODIC_STEPS: dict[tuple[str, str], int | None] = {
    (SHORT, LOW): None,
    (SHORT, MEDIUM): None,
    (SHORT, HIGH): 1,
    (LONG, LOW): 6,
    (LONG, MEDIUM): 3,
    (LONG, HIGH): 1,
}

# followup-policy.md, "Channel defaults".
DEFAULT_CHANNEL_RULES = (
    ChannelRule(ONSITE, kind=FIRST, subject_role=BORROWER, borrower_type=ENTERPRISE),
    ChannelRule(PHONE, kind=FIRST, subject_role=BORROWER, borrower_type=INDIVIDUAL),
    ChannelRule(
        ONLINE, kind=PERIODIC, subject_role=BORROWER, borrower_type=INDIVIDUAL, risk_level=LOW
    ),
)

DEFAULT_POLICY = Policy(
    rules=default_rules(DEFAULT_PERIODIC_STEPS),
    channel_rules=DEFAULT_CHANNEL_RULES,
    default_channel=PHONE,
    short_term_max_months=12,
    collision_days=15,
    default_risk_level=MEDIUM,
)


def select(plan: SubjectPlan, d: date, m: date, collision_days: int) -> list[tuple[int, str, str]]:
    """One subject's accepted candidates as (date ordinal, kind, channel), in selection order.

    followup-policy.md, "Borrower visits": keep candidates with D < date < M;
    take them in order (a series by ascending date) and accept each unless an
    accepted one lies less than `collision_days` from it. Dates are unrolled.
    """
    d_ord = d.toordinal()
    m_ord = m.toordinal()
    window = collision_days
    accepted: list[tuple[int, str, str]] = []
    for kind, from_maturity, offset, step, channel in plan:
        if step is None:
            o = (m_ord if from_maturity else d_ord) + offset  # type: ignore[operator]
            if d_ord < o < m_ord:
                for a, _, _ in accepted:
                    if -window < o - a < window:
                        break
                else:
                    accepted.append((o, kind, channel))
            continue
        # A series, by ascending date: a date of it collides with an earlier
        # accepted date of the same series only if it collides with the latest,
        # and with one accepted before the series only if it collides with the
        # first of those not already `window` or more behind it.
        before = sorted(a for a, _, _ in accepted)
        before.append(m_ord + window)  # a sentinel no date of the series reaches
        j = 0
        last = d_ord - window
        for o in _series(d, m, d_ord, m_ord, from_maturity, step):
            if o - last < window:
                continue
            while before[j] <= o - window:
                j += 1
            if before[j] < o + window:
                continue
            accepted.append((o, kind, channel))
            last = o
    return accepted


def _series(d: date, m: date, d_ord: int, m_ord: int, from_maturity: bool, step: int) -> list[int]:
    """Ordinals of add_months(anchor, ±k*step), k = 1, 2, …, strictly between D and M, ascending."""
    out = []
    k = step
    if from_maturity:
        while (o := add_months(m, -k).toordinal()) > d_ord:
            out.append(o)
            k += step
        out.reverse()
        return out
    if d.day > 28 or d.year < _FAST_FIRST_YEAR or m.year + step // 12 + 1 >= _FAST_LAST_YEAR:
        # A day that may be clamped, or dates off the table: add_months itself.
        while (o := add_months(d, k).toordinal()) < m_ord:
            out.append(o)
            k += step
        return out
    # Day 1-28 exists in every month, so add_months(d, k) is that day k months
    # on: the first of the month's ordinal plus (day - 1), read from a table.
    i = (d.year - _FAST_FIRST_YEAR) * 12 + d.month - 1 + k
    o = _MONTH_STARTS[i] + d.day - 1
    while o < m_ord:
        out.append(o)
        i += step
        o = _MONTH_STARTS[i] + d.day - 1
    return out


# Ordinal of the first of each month, January _FAST_FIRST_YEAR onwards.
_FAST_FIRST_YEAR, _FAST_LAST_YEAR = 1900, 2300
_MONTH_STARTS = [
    date(y, mo, 1).toordinal()
    for y in range(_FAST_FIRST_YEAR, _FAST_LAST_YEAR + 2)
    for mo in range(1, 13)
]

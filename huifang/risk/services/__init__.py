"""Writes of the risk app: signals, warnings and their lifecycle, the lexicon and the rules."""

from huifang.risk.services.config import lexicon_term_save, warning_rule_save
from huifang.risk.services.signals import risk_from_repayments, risk_from_submission, signal_raise
from huifang.risk.services.warnings import (
    warning_acknowledge,
    warning_escalate,
    warning_lift,
    warning_respond,
    warning_restructured,
    warnings_evaluate,
)

__all__ = [
    "lexicon_term_save",
    "risk_from_repayments",
    "risk_from_submission",
    "signal_raise",
    "warning_acknowledge",
    "warning_escalate",
    "warning_lift",
    "warning_respond",
    "warning_restructured",
    "warning_rule_save",
    "warnings_evaluate",
]

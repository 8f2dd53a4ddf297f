"""Writes of the classification app: the run, the rule set, the confirmation workflow."""

from huifang.classification.services.rules import rules_save
from huifang.classification.services.run import classify, loans_to_classify
from huifang.classification.services.workflow import (
    classification_act,
    classification_approve,
    classification_change,
    classification_propose,
    classification_review,
)

__all__ = [
    "classification_act",
    "classification_approve",
    "classification_change",
    "classification_propose",
    "classification_review",
    "classify",
    "loans_to_classify",
    "rules_save",
]

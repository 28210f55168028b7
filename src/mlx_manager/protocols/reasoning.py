"""How an OpenAI-style reasoning effort and an Anthropic thinking budget stand for each other.

An effort becomes the budget in ``EFFORT_BUDGETS``; a budget becomes the effort whose budget is
nearest on a log scale (thresholds at the geometric midpoints), so effort -> budget -> effort is
stable. 1024 is Anthropic's smallest accepted budget.

    effort    budget_tokens       budgets mapped back to it
    minimal    1024               < 2048
    low        4096               2048 .. 8191
    medium    16384               8192 .. 24575
    high      32768               >= 24576
"""

from __future__ import annotations

from typing import Literal

Effort = Literal["minimal", "low", "medium", "high"]

EFFORT_BUDGETS: dict[Effort, int] = {"minimal": 1024, "low": 4096, "medium": 16384, "high": 32768}
MIN_BUDGET = 1024


def budget_for(effort: Effort) -> int:
    return EFFORT_BUDGETS[effort]


def effort_for(budget_tokens: int) -> Effort:
    if budget_tokens < 2048:
        return "minimal"
    if budget_tokens < 8192:
        return "low"
    if budget_tokens < 24576:
        return "medium"
    return "high"

"""The training mode: courses, the people trained and their exercises, each done in a private sandbox (a copy of
the demo) and checked against the product's own computation, so an exercise never touches real data and its answer
is never a hand-kept key.

Who was trained, by gender and kind of organisation, feeds the programme's results table.
"""

from __future__ import annotations

from eipkit.model import Attempt, Course, Participant

__all__ = ["Attempt", "Course", "Participant"]

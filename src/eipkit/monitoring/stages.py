"""The stages an opportunity moves through, and which moves make sense."""

from __future__ import annotations

from eipkit.errors import Conflict

PIPELINE = ("identified", "proposed", "feasibility", "implementing", "implemented")
DROPPED = "dropped"
STAGES = (*PIPELINE, DROPPED)


class StageError(Conflict):
    """A stage change that the pipeline does not allow."""


def check_move(current: str | None, new: str) -> None:
    """Forward along the pipeline (steps may be skipped), to dropped from anywhere, and back to an early stage
    only from dropped (a reopened idea). Anything else is refused with the reason."""
    if new not in STAGES:
        raise StageError("err.stage_unknown", stage=new, allowed=", ".join(STAGES))
    if current is None:
        return
    if new == current:
        raise StageError("err.stage_same", stage=new)
    if new == DROPPED:
        return
    if current == DROPPED:
        if new in PIPELINE[:2]:
            return
        raise StageError("err.stage_reopen", stage=new)
    if PIPELINE.index(new) < PIPELINE.index(current):
        raise StageError("err.stage_backwards", current=current, stage=new)

"""The stages an opportunity moves through, and which moves make sense."""

from __future__ import annotations

from eipkit.errors import Conflict
from eipkit.vocabulary import Stage

STAGES = tuple(Stage)


class StageError(Conflict):
    """A stage change that the pipeline does not allow."""


def check_move(current: str | None, new: str) -> None:
    """Forward along the pipeline (steps may be skipped), to dropped from anywhere, and back to an early stage
    only from dropped (a reopened idea). Anything else is refused with the reason."""
    if new not in STAGES:
        raise StageError("err.stage_unknown", stage=new, allowed=", ".join(STAGES))
    wanted = Stage(new)
    if current is None:
        return
    if wanted == current:
        raise StageError("err.stage_same", stage=new)
    if wanted is Stage.DROPPED:
        return
    if current == Stage.DROPPED:
        if wanted.is_early:
            return
        raise StageError("err.stage_reopen", stage=new)
    if wanted.position < Stage(current).position:
        raise StageError("err.stage_backwards", current=current, stage=new)

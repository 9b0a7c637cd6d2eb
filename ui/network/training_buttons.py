"""The training page's buttons: Train, Pause, Step one epoch and Reset, as callbacks that
check the settings first (a missing or unusable one becomes a message under ERROR, never an
exception) and say under NOTICE what they did when it is not obvious."""

from __future__ import annotations

import streamlit as st

from ui.network.training_run import (
    ERROR,
    MAX_EPOCHS,
    NOTICE,
    RUN,
    TrainingRun,
    advance,
    build_run,
    run_length_text,
)
from ui.network.training_settings import setting, settings_from_state, target_epochs


def run_for_settings(fresh: bool = False) -> TrainingRun | None:
    """The session's run if it matches the settings, else a new one (None if impossible)."""
    run = st.session_state.get(RUN)
    try:
        wanted = settings_from_state()
        epochs = setting("training_epochs")
    except ValueError as error:
        st.session_state[ERROR] = f"Cannot start: {error}."
        return None
    if not 1 <= epochs <= MAX_EPOCHS:
        st.session_state[ERROR] = f"Cannot start: Epochs must be 1..{MAX_EPOCHS}, not {epochs}."
        return None
    if fresh or run is None or run.settings != wanted or run.diverged:
        try:
            run = build_run(wanted)
        except ValueError as error:
            st.session_state[ERROR] = f"These settings do not work: {error}"
            return None
        st.session_state[RUN] = run
    st.session_state[ERROR] = None
    return run


def _at_the_end(run: TrainingRun) -> bool:
    """Whether the run has all its epochs; if so, NOTICE says how to go on."""
    target = target_epochs()
    done = run.epoch >= target
    st.session_state[NOTICE] = (f"{run_length_text(run.epoch, target)}: the run has all the "
                                "epochs you chose. Raise Epochs to go on, or Reset to start "
                                "again." if done else None)
    return done


def on_train() -> None:
    """Train button: start (or go on with) the run until the chosen number of epochs."""
    run = run_for_settings()
    if run is not None:
        run.running = not _at_the_end(run)


def on_step() -> None:
    """Step button: one epoch (the rest of one a pause cut short), then stop; none once the
    run has all its epochs."""
    run = run_for_settings()
    if run is not None:
        run.running = False
        if not _at_the_end(run):
            advance(run, whole_epoch=True)


def on_pause() -> None:
    """Pause button: stop after the batches in progress (the run keeps its state), and say
    where: it may have gone on after the page last showed its progress."""
    run = st.session_state.get(RUN)
    if run is not None and run.running:
        run.running = False
        st.session_state[NOTICE] = f"Paused {progress_text(run)}: Train goes on from here."


def progress_text(run: TrainingRun) -> str:
    """Where a run stands: "after epoch 3" or "in epoch 4, after batch 40 of 125"."""
    trainer = run.trainer
    if trainer.batches_done == 0:
        return f"after epoch {run.epoch}"
    return (f"in epoch {run.epoch + 1}, after batch {trainer.batches_done} of "
            f"{trainer.batches_per_epoch}")


def on_reset() -> None:
    """Reset button: back to epoch 0; the same seed gives the same initial weights."""
    st.session_state[NOTICE] = None
    run_for_settings(fresh=True)

"""What the training page shows of a run: its progress, the warnings about how it goes, the
curves (plotly), every block's kernels and the test set's results (the map component).

Kernels of block 1 are small multiples, one tile per channel; a deeper block's kernels are
C_out x C_in tiles, a row per output channel (one filter: a kernel for every channel coming
in) and a column per input channel.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core.evaluation import n_classes
from cnn_core.results import at_chance, confusion_counts, guessing_loss, loss_too_high, mistakes
from ui.figures.curves import curves
from ui.network.training_run import TrainingRun, run_length_text
from ui.widgets.charts import Matrix, Tiles, show_chart
from ui.widgets.map import Map, map_view


def chance_warning(run: TrainingRun) -> str | None:
    """A warning when the train accuracy sits at chance (cnn_core.results.at_chance): the
    network answers one digit for everything."""
    chance = at_chance(run.trainer.history, run.trainer.train_labels)
    if chance is None:
        return None
    accuracy = run.trainer.history[-1].train_accuracy
    return (f"Train accuracy {accuracy:.0%} is chance level ({chance:.0%} comes from calling "
            "every image the most common digit): the network answers one digit for "
            "everything, whatever the loss says. The learning rate is probably too high: "
            "try a smaller one and Reset.")


def loss_warning(run: TrainingRun) -> str | None:
    """A warning when the loss is far above guessing or rising (cnn_core.results)."""
    history, classes = run.trainer.history, n_classes(run.trainer.model)
    if not loss_too_high(history, classes):
        return None
    return (f"The loss is {history[-1].train_loss:.3g}, far above {guessing_loss(classes):.2f} "
            "(the loss of guessing every digit equally) or rising: the learning rate is "
            "probably too high.")


def progress(run: TrainingRun, target: int) -> None:
    """The progress bar: epochs (and batches of the current one) against the target."""
    trainer = run.trainer
    done = run.epoch + trainer.batches_done / trainer.batches_per_epoch
    within = (f" · batch {trainer.batches_done} of {trainer.batches_per_epoch}"
              if trainer.batches_done else "")
    st.progress(min(done / target, 1.0), text=run_length_text(run.epoch, target) + within)
    if run.epoch > target and not run.running:
        st.caption(f"The run stopped at epoch {run.epoch}, past the {target} Epochs now set: "
                   "training never undoes epochs. Reset starts again from epoch 0.")


def curve_charts(run: TrainingRun, presenter: bool) -> None:
    """The last epoch's figures, then loss and accuracy after each epoch, train and test."""
    history = run.trainer.history
    last = history[-1]
    st.markdown(f"After epoch {last.epoch}: train loss **{last.train_loss:.4f}**, "
                f"test loss **{last.test_loss:.4f}**, train accuracy "
                f"**{last.train_accuracy:.0%}**, test accuracy **{last.test_accuracy:.0%}**")
    epochs = [r.epoch for r in history]
    losses = {"train": [r.train_loss for r in history], "test": [r.test_loss for r in history]}
    accuracies = {"train": [r.train_accuracy for r in history],
                  "test": [r.test_accuracy for r in history]}
    columns = st.columns(2)
    show_chart(curves(losses, x=epochs, y_title="loss", presenter=presenter),
               {"epoch": epochs, **{f"{name} loss": v for name, v in losses.items()}},
               where=columns[0], label="Loss after each epoch, train and test")
    show_chart(curves(accuracies, x=epochs, y_title="accuracy", y_range=(0, 1.05),
                      presenter=presenter),
               {"epoch": epochs, **{f"{name} accuracy": v for name, v in accuracies.items()}},
               where=columns[1], label="Accuracy after each epoch, train and test")


def kernel_maps_of(kernels: tuple[np.ndarray, ...], epoch: int, presenter: bool) -> list[Map]:
    """One Map per block: block 1's (C, k, k) tiles; a deeper block's C_out x C_in tiles,
    labelled "output←input" channel. Numbers are written when there are few tiles."""
    maps = []
    for number, block in enumerate(kernels, start=1):
        c_out, c_in, k, _ = block.shape
        if number == 1:
            tiles, labels, columns = block[:, 0], [f"k{o}" for o in range(c_out)], 8
            about = f"{c_out} kernel{'s' if c_out > 1 else ''} {k}x{k}"
        else:
            tiles = block.reshape(c_out * c_in, k, k)
            labels = [f"{o}←{i}" for o in range(c_out) for i in range(c_in)]
            columns = c_in
            about = (f"{c_out} filters of {c_in} kernels {k}x{k} (row: output channel, "
                     "column: input channel)")
        maps.append(Map(tiles, title=f"Block {number} after epoch {epoch}: {about}",
                        id=f"kernels_block{number}", kind="signed", labels=labels,
                        tile_columns=min(columns, len(labels)),
                        numbers=len(labels) <= (16 if presenter else 4),
                        table=Tiles(tiles, labels)))
    return maps


def kernel_view(run: TrainingRun, presenter: bool) -> None:
    """The kernels after the chosen epoch (a slider once the run is stopped)."""
    shown = run.epoch
    if not run.running and run.epoch:
        shown = st.slider("Kernels after epoch", 0, run.epoch, run.epoch,
                          key="training_snapshot")
    shown = min(max(int(shown), 0), len(run.snapshots) - 1)
    kernels = run.snapshots[shown]
    many = sum(block.shape[0] * block.shape[1] for block in kernels) > 16
    # a deeper block has C_out x C_in tiles: small cells keep 16 x 16 of them on a screen
    map_view(kernel_maps_of(kernels, shown, presenter), key="training_kernels", columns=1,
             presenter=presenter, cell_px=(22 if presenter else 16) if many else None)


def results_view(run: TrainingRun, presenter: bool) -> None:
    """The test set's confusion matrix (counts) and the digits it got wrong."""
    data = run.trainer
    predicted = data.model.predict(data.test_images)
    counts = confusion_counts(data.test_labels, predicted, n_classes(data.model))
    maps = [Map(counts, title="Confusion matrix (row: true, column: predicted)",
                id="confusion", kind="positive", decimals=0, numbers=True,
                table=Matrix(counts, rows="true", cols="predicted"))]
    wrong = mistakes(data.test_images, data.test_labels, predicted)
    if len(wrong.images):
        labels = [f"{t}→{p}" for t, p in zip(wrong.true, wrong.predicted, strict=True)]
        maps.append(Map(wrong.images, title="Misclassified (true→predicted)", id="mistakes",
                        kind="ink", labels=labels, tile_columns=4,
                        table=Tiles(wrong.images, labels)))
    map_view(maps, key="training_results", columns=2, presenter=presenter)
    if not len(wrong.images):
        st.success("Every test image is classified correctly.")

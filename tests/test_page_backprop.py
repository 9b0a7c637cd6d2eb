"""The backprop page (AppTest) with the notes' kind of network (the default and the notes'
example): its gradients against finite differences and cnn_core, its maps, clicks on them,
the SGD step and its log, Numbers as tables. A ConvNet of 1-3 blocks:
test_page_backprop_blocks.py."""

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core import TinyCNN
from cnn_core.backprop import backprop_trace
from cnn_core.data import NOTES_EIGHT
from cnn_core.gradcheck import numerical_gradient
from tests.support.arrays import page_maps
from tests.support.backprop_page import (
    MINUS,
    a_four,
    assert_terms_add_up,
    checked_numbers,
    click,
    open_page,
    shown_number,
    written_terms,
)
from ui.session.models import default_model, model_input, notes_example_model
from ui.session.state import NUMBERS_AS_TABLES


def finite_difference(model: TinyCNN, x: np.ndarray, label: int, k: int, m: int,
                      n: int) -> float:
    """dL/dg[k, m, n] by central differences, written here independently of the page."""
    kernels = model.params["kernels"].copy()

    def loss(cell: np.ndarray) -> float:
        kernels[k, m, n] = cell[0]
        probe = TinyCNN.from_params({**model.params, "kernels": kernels},
                                    model.arch.image_shape)
        p = probe.forward(x)["probabilities"][0]
        return float(-np.log(p[label]))

    return float(numerical_gradient(loss, np.array([kernels[k, m, n]]))[0])


def test_page_opens_through_the_router_and_explains_the_default_drawing():
    at = open_page(router=True)
    trace = backprop_trace(default_model(), model_input(NOTES_EIGHT, default_model()), 8)
    assert any(f"= **{trace.loss:.4f}**" in md.value for md in at.markdown)
    assert at.code[-1].value.startswith("dL/dg(2,0) = ")


@pytest.mark.parametrize("m, n", [(2, 0), (0, 1), (1, 2)])
def test_the_kernel_gradient_shown_equals_a_finite_difference(m, n):
    drawing = a_four()
    at = open_page(drawing, backprop_label=4)
    at.selectbox(key="backprop_m").set_value(m).run()
    at.selectbox(key="backprop_n").set_value(n).run()
    model = default_model()
    x = model_input(drawing, model)
    k = followed_kernel(at)
    numeric = finite_difference(model, x, 4, k, m, n)
    written = at.code[-1].value
    assert written.startswith(f"dL/dg({m},{n}) = (")
    assert shown_number(written.split("  [")[0].split()[-1]) == pytest.approx(numeric,
                                                                            rel=1e-3)
    check = next(md.value for md in at.markdown if "finite differences" in md.value)
    page_fd, page_bp = re.findall(r"\*\*([^*]+)\*\*", check)
    assert shown_number(page_bp) == pytest.approx(numeric, rel=1e-5, abs=1e-9)
    assert shown_number(page_fd) == pytest.approx(numeric, rel=1e-5, abs=1e-9)


def test_the_default_kernel_is_the_one_with_the_largest_gradient():
    drawing = a_four()
    at = open_page(drawing, backprop_label=4)
    model = default_model()
    trace = backprop_trace(model, model_input(drawing, model), 4)
    assert followed_kernel(at) == int(np.abs(trace.d_kernels).sum(axis=(1, 2)).argmax())
    assert any(f"−log {trace.probabilities[4]:.4f} = **{trace.loss:.4f}**" in md.value
               for md in at.markdown)


def test_notes_example_shows_the_tie_and_its_gradients():
    at = open_page(backprop_notes=True)
    trace = backprop_trace(notes_example_model(), NOTES_EIGHT, 8)
    np.testing.assert_allclose(page_maps(at)["dW"].values[0], trace.d_weights, rtol=1e-6)
    assert any(f"= **{trace.loss:.4f}**" in md.value for md in at.markdown)
    assert any("1 window here tie" in md.value for md in at.markdown)
    written = at.code[-1].value  # kernel cell (2, 0) by default
    assert written.startswith("dL/dg(2,0) = ")
    assert shown_number(written.split("  [")[0].split()[-1]) == pytest.approx(
        trace.d_kernels[0, 2, 0], rel=1e-3)


def test_an_sgd_step_lowers_the_loss_on_a_copy_and_never_touches_the_default():
    drawing = a_four()
    before = {k: v.copy() for k, v in default_model().params.items()}
    at = open_page(drawing, backprop_label=9)  # a four called 9: a large loss
    at.button(key="backprop_step").click().run()
    at.button(key="backprop_step").click().run()
    steps = [md.value for md in at.markdown if md.value.startswith("Step ")]
    assert len(steps) == 2
    losses = [float(v.replace("\u2212", "-")) for v in
              re.findall(r"(\d+\.\d+(?:e[-\u2212+]?\d+)?) ", " ".join(steps).replace("*", " "))]
    assert losses[1] < losses[0] and losses[3] < losses[2]
    for name, value in before.items():
        np.testing.assert_array_equal(default_model().params[name], value)
    copy = at.session_state["backprop_model"]
    assert copy is not default_model()
    x = model_input(drawing, copy)
    assert backprop_trace(copy, x, 9).loss == pytest.approx(losses[3], abs=1e-4)
    at.button(key="backprop_reset").click().run()
    assert not [md for md in at.markdown if md.value.startswith("Step ")]


def test_switching_models_starts_a_fresh_copy():
    at = open_page(backprop_notes=True)
    at.button(key="backprop_step").click().run()
    assert [md for md in at.markdown if md.value.startswith("Step 1")]
    notes_copy = at.session_state["backprop_model"]
    at.toggle(key="backprop_notes").set_value(False).run()
    assert not at.exception
    assert not [md for md in at.markdown if md.value.startswith("Step ")]
    copy = at.session_state["backprop_model"]
    assert copy is not notes_copy and copy.arch.image_shape == default_model().arch.image_shape
    np.testing.assert_array_equal(copy.params["kernels"], default_model().params["kernels"])


def test_the_step_log_keeps_only_the_last_twenty_steps():
    at = open_page(backprop_notes=True)  # the notes' tiny network: quick steps
    for _ in range(22):
        at.button(key="backprop_step").click().run()
    steps = [md.value for md in at.markdown if md.value.startswith("Step ")]
    assert len(steps) == 20
    assert steps[0].startswith("Step 3 (") and steps[-1].startswith("Step 22 (")


def followed_kernel(at: AppTest) -> int:
    """The kernel the page follows, as its dense-layer section names it ("k3's 9 rows")."""
    titles = [m.value for m in at.markdown if "folded back into kernel k" in m.value]
    assert len(titles) == 1, titles
    return int(re.search(r"kernel k(\d+)'s pooled map", titles[0]).group(1))


def largest_gradient(drawing: np.ndarray, label: int) -> int:
    model = default_model()
    trace = backprop_trace(model, model_input(drawing, model), label)
    return int(np.abs(trace.d_kernels).sum(axis=(1, 2)).argmax())


def test_a_kernel_choice_sent_back_as_its_old_label_text_is_dropped_not_a_crash():
    # the browser sends a selectbox's choice as its text; once "(largest gradient)" moved,
    # Streamlit handed that text back instead of the kernel number
    at = open_page(np.array(NOTES_EIGHT, dtype=float),
                   backprop_kernel="k12 (largest gradient)")
    assert followed_kernel(at) == largest_gradient(np.array(NOTES_EIGHT, dtype=float), 8)


def test_changing_the_label_twice_keeps_following_the_largest_gradient():
    drawing = np.array(NOTES_EIGHT, dtype=float)
    at = open_page(drawing)
    strongest = {y: largest_gradient(drawing, y) for y in (8, 3, 5)}
    assert len(set(strongest.values())) > 1  # the largest gradient moves between labels
    for label in (3, 5, 3):
        at.radio(key="backprop_label").set_value(label).run()
        assert not at.exception, [e.value for e in at.exception]
        assert followed_kernel(at) == strongest[label]
        assert at.query_params["y"] == str(label)


def test_a_kernel_the_student_picked_stays_and_the_page_says_which_is_largest():
    drawing = np.array(NOTES_EIGHT, dtype=float)
    at = open_page(drawing)
    at.selectbox(key="backprop_kernel").set_value(2).run()
    for label in (3, 5):
        at.radio(key="backprop_label").set_value(label).run()
        assert not at.exception, [e.value for e in at.exception]
        assert followed_kernel(at) == 2
        said = " ".join(c.value for c in at.caption)
        assert f"k{largest_gradient(drawing, label)} has the largest gradient" in said


def shown_loss(text: str) -> float:
    return float(text.replace("*", "").replace(MINUS, "-"))


def test_the_step_log_names_each_steps_label_and_tells_tiny_losses_apart():
    at = open_page(backprop_notes=True, backprop_rate=100.0)
    at.button(key="backprop_step").click().run()
    at.radio(key="backprop_label").set_value(2).run()
    at.button(key="backprop_step").click().run()
    steps = [md.value for md in at.markdown if md.value.startswith("Step ")]
    assert [s.split(":")[0] for s in steps] == ["Step 1 (true label 8)", "Step 2 (true label 2)"]
    logged = at.session_state["backprop_model_steps"]
    for text, (_, _, before, after) in zip(steps, logged, strict=True):
        written = re.search(r"loss (\S+) → (\S+)$", text)
        assert shown_loss(written.group(1)) == pytest.approx(before, rel=1e-3)
        assert shown_loss(written.group(2)) == pytest.approx(after, rel=1e-3)
        if before != after:
            assert written.group(1) != written.group(2).strip("*")


def test_the_maps_sent_are_the_engines_gradients_for_the_default_network():
    drawing = a_four()
    at = open_page(drawing, backprop_label=4)
    model = default_model()
    trace = backprop_trace(model, model_input(drawing, model), 4)
    k = followed_kernel(at)
    maps = page_maps(at)
    rows = trace.dense_rows(k)
    folded = trace.d_weights[rows].T.reshape(10, *trace.pooled.shape[1:])  # a tile a digit
    np.testing.assert_allclose(maps["dW"].values, folded, rtol=1e-6, atol=1e-30)
    assert maps["dW"].entry["tiles"]["labels"][4] == "digit 4"
    np.testing.assert_allclose(maps["dkernels"].values, trace.d_kernels, rtol=1e-6,
                               atol=1e-12)
    np.testing.assert_allclose(maps["dkernel"].values[0], trace.d_kernels[k], rtol=1e-6)
    np.testing.assert_allclose(maps["delta"].values[0], trace.d_feature_maps[k], rtol=1e-6,
                               atol=1e-12)
    total = assert_terms_add_up(at)
    assert total == pytest.approx(trace.d_kernels[k, 2, 0], rel=1e-3)


@pytest.mark.parametrize("notes", [False, True])
def test_no_coloured_cell_of_a_gradient_map_is_written_zero(notes):
    at = open_page(a_four(), backprop_label=4, backprop_notes=notes)
    # the notes' dL/dW is a 4x10 matrix with its numbers; the default's, tiles without
    for name in ("dW", "dpool", "drelu", "delta", "dkernel")[0 if notes else 1:]:
        sent = page_maps(at)[name]
        values = sent.values[0].ravel().astype(np.float64)
        assert len(sent.numbers) == values.size, name
        biggest = np.abs(values).max()
        for value, text in zip(values, sent.numbers, strict=True):
            # the largest to three significant digits: every cell within half a unit
            assert abs(shown_number(text) - value) <= 0.005 * biggest * (1 + 1e-6)
            if abs(value) >= 0.01 * biggest:  # visibly coloured
                assert text != "0", (name, value)


def test_clicking_dl_dkernel_the_kernel_or_a_kernels_tile_picks_the_cell_shown():
    at = open_page(a_four(), backprop_label=4)
    model = default_model()
    trace = backprop_trace(model, model_input(a_four(), model), 4)
    k = followed_kernel(at)
    assert written_terms(at)[2] == "dL/dg(2,0)"
    click(at, "backprop_maps_kernel", {"map": "dkernel", "row": 0, "col": 1})
    assert written_terms(at)[2] == "dL/dg(0,1)"
    assert at.selectbox(key="backprop_m").value == 0
    assert at.selectbox(key="backprop_n").value == 1
    assert page_maps(at)["dkernel"].entry["boxes"] == [[0, 1, 1, 1]]
    assert checked_numbers(at)[1] == pytest.approx(trace.d_kernels[k, 0, 1], rel=1e-5)
    click(at, "backprop_maps_kernel", {"map": "kernel", "row": 1, "col": 2})
    assert written_terms(at)[2] == "dL/dg(1,2)"
    other = (k + 5) % trace.d_kernels.shape[0]
    click(at, "backprop_maps_kernels", {"map": "dkernels", "row": 2, "col": 2, "tile": other})
    assert followed_kernel(at) == other
    assert written_terms(at)[2] == "dL/dg(2,2)"
    assert assert_terms_add_up(at) == pytest.approx(trace.d_kernels[other, 2, 2], rel=1e-3)
    click(at, "backprop_maps_kernel", {"map": "window", "row": 0, "col": 0})  # not pickable
    assert written_terms(at)[2] == "dL/dg(2,2)"


def tables_by_map(at: AppTest) -> dict[str, object]:
    """Each map's name -> the table that follows it ("The numbers of <name>")."""
    shown = {}
    for table in at.table:
        name = table.proto.alt.removeprefix("The numbers of ")
        assert name != table.proto.alt and name not in shown, table.proto.alt
        shown[name] = table.value
    return shown


def test_numbers_as_tables_are_the_gradients_and_name_the_outlined_cells():
    # (was tests/test_page_tables.py's, which read plotly charts; the maps say the same)
    at = open_page(**{NUMBERS_AS_TABLES: True})
    model = default_model()
    trace = backprop_trace(model, model_input(NOTES_EIGHT, model), 8)
    k = trace.strongest_kernel()
    shown = tables_by_map(at)
    assert len(shown) == len(page_maps(at))  # one table per map
    np.testing.assert_array_equal(shown[next(n for n in shown if n.startswith("p:"))][
        "probability"], trace.probabilities)
    np.testing.assert_array_equal(shown["dL/dz = p − y"]["dL/dz"], trace.d_logits)
    rows = trace.dense_rows(k)
    weights = shown[f"dL/dW: k{k}'s {rows.stop - rows.start} rows, one tile per digit"]
    np.testing.assert_array_equal(weights.to_numpy(dtype=float), trace.d_weights[rows])
    assert weights.index[0] == f"flat {rows.start}" and weights.columns[-1] == "digit 9"
    for name, values in [("dL/d(pooled map)", trace.d_pooled[k]),
                         ("ReLU output (winners outlined)", trace.activations[k]),
                         ("dL/d(ReLU output)", trace.d_activations[k]),
                         ("Feature map", trace.feature_maps[k]),
                         ("δ = dL/d(feature map)", trace.d_feature_maps[k]),
                         (f"= dL/dkernel k{k}", trace.d_kernels[k])]:
        np.testing.assert_array_equal(shown[name].to_numpy(dtype=float), values, err_msg=name)
    winners = ", ".join(f"[{r}, {c}]" for r, c in zip(*np.nonzero(trace.winners[k]),
                                                      strict=True))
    captions = [c.value for c in at.caption]
    assert captions.count(f"Outlined cells [row, col]: {winners}.") == 2
    assert captions.count("Outlined cells [row, col]: [2, 0].") == 2  # dL/dkernel, kernel
    assert captions.count("Outlined cells [row, col]: [0, 8].") == 2  # the true label


def test_with_the_toggle_off_no_table_follows_the_maps():
    at = open_page(**{NUMBERS_AS_TABLES: False})
    assert page_maps(at) and not at.table
    assert not at.get("plotly_chart")  # every picture is a map now


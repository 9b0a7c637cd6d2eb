"""Tests for cnn_core.train: TrainConfig, the three optimisers, Trainer epochs, divergence,
progress within an epoch (run_batches), the augmentation hook, and a ConvNet trained
through the same interface.

Each optimiser's update is checked against its formula on a known gradient (from
TinyCNN.loss_and_gradients on the same batch); whole runs are checked for determinism and
for what training must achieve (a falling loss, >= 97 % on the real digits).
"""

import numpy as np
import pytest

from cnn_core import BlockSpec, ConvNet, NetworkSpec, TinyCNN
from cnn_core.data import handwritten_digits, toy_digits
from cnn_core.train import EpochReport, TrainConfig, Trainer, TrainingDiverged, evaluate


def _toy_trainer(seed=0, **config):
    toy = toy_digits()
    model = TinyCNN(4, 3, (5, 5), 2, 10, seed=0)
    return Trainer(model, toy.train_images, toy.train_labels, toy.test_images, toy.test_labels,
                   TrainConfig(seed=seed, **config))


def _digits_trainer(n_kernels=8, model_seed=0, limit=None, **config):
    """A Trainer on the real digits (the first ``limit`` of each split, or all of them)."""
    digits = handwritten_digits()
    model = TinyCNN(n_kernels, 3, (8, 8), 2, 10, seed=model_seed)
    return Trainer(model, digits.train_images[:limit], digits.train_labels[:limit],
                   digits.test_images[:limit], digits.test_labels[:limit], TrainConfig(**config))


def _params(trainer):
    return {name: value.copy() for name, value in trainer.model.params.items()}


def _batch(count=16, seed=0):
    digits = handwritten_digits()
    rows = np.random.default_rng(seed).choice(len(digits.train_images), count, replace=False)
    return digits.train_images[rows], digits.train_labels[rows]


# --- Determinism ----------------------------------------------------------------------------

def test_same_seed_gives_identical_history_and_params():
    runs = []
    for _ in range(2):
        trainer = _digits_trainer(learning_rate=0.01, batch_size=32, seed=3, limit=300)
        for _ in range(2):
            trainer.run_epoch()
        runs.append((trainer.history, _params(trainer)))
    assert runs[0][0] == runs[1][0]
    for name in runs[0][1]:
        np.testing.assert_array_equal(runs[0][1][name], runs[1][1][name])


def test_a_different_seed_shuffles_differently_and_gives_other_params():
    finals = []
    for seed in (3, 4):
        trainer = _digits_trainer(learning_rate=0.01, batch_size=32, seed=seed, limit=300)
        trainer.run_epoch()
        finals.append(_params(trainer))
    assert not np.array_equal(finals[0]["weights"], finals[1]["weights"])
    assert not np.array_equal(finals[0]["kernels"], finals[1]["kernels"])


def test_run_epoch_reports_numbered_epochs_and_evaluates_both_sets():
    trainer = _toy_trainer(learning_rate=0.01, batch_size=1, optimizer="sgd")
    reports = [trainer.run_epoch() for _ in range(3)]
    assert [r.epoch for r in reports] == [1, 2, 3]
    assert trainer.history == reports and isinstance(reports[0], EpochReport)
    toy = toy_digits()
    loss, accuracy = evaluate(trainer.model, toy.test_images, toy.test_labels)
    assert reports[-1].test_loss == loss and reports[-1].test_accuracy == accuracy
    loss, accuracy = evaluate(trainer.model, toy.train_images, toy.train_labels)
    assert reports[-1].train_accuracy == accuracy


def test_epoch_train_loss_is_the_size_weighted_mean_of_the_batch_losses_before_each_update():
    # 2 images, batch 1, no shuffle: the mean of the two per-image losses, each taken before
    # its own update (what the notes print)
    trainer = _toy_trainer(learning_rate=0.05, batch_size=1, optimizer="sgd", shuffle=False)
    toy, model = toy_digits(), trainer.model
    first = model.loss_and_gradients(toy.train_images[:1], toy.train_labels[:1])[0]
    shadow = TinyCNN.from_params(model.params, (5, 5), 2)
    shadow_trainer = Trainer(shadow, toy.train_images, toy.train_labels, toy.test_images,
                             toy.test_labels, trainer.config)
    shadow_trainer.step(toy.train_images[:1], toy.train_labels[:1])
    second = shadow.loss_and_gradients(toy.train_images[1:], toy.train_labels[1:])[0]
    assert trainer.run_epoch().train_loss == pytest.approx((first + second) / 2, rel=1e-14)


# --- Optimisers: each lowers the loss, each follows its formula -------------------------------

@pytest.mark.parametrize("optimizer, rate", [("sgd", 0.05), ("momentum", 0.01), ("adam", 0.01)])
def test_each_optimizer_lowers_the_toy_training_loss_over_20_epochs(optimizer, rate):
    trainer = _toy_trainer(learning_rate=rate, batch_size=1, optimizer=optimizer)
    toy = toy_digits()
    start, _ = evaluate(trainer.model, toy.train_images, toy.train_labels)
    for _ in range(20):
        trainer.run_epoch()
    end, accuracy = evaluate(trainer.model, toy.train_images, toy.train_labels)
    assert end < 0.5 * start
    assert accuracy == 1.0


def test_sgd_update_is_learning_rate_times_the_gradient():
    trainer = _digits_trainer(learning_rate=0.03, optimizer="sgd")
    images, labels = _batch()
    before = _params(trainer)
    _, grads = trainer.model.loss_and_gradients(images, labels)
    trainer.step(images, labels)
    for name in before:
        np.testing.assert_allclose(before[name] - trainer.model.params[name], 0.03 * grads[name],
                                   rtol=1e-12, atol=1e-15, err_msg=name)


def test_adam_first_update_is_learning_rate_times_the_sign_of_the_gradient():
    # bias correction makes m_hat = g and v_hat = g^2 on step 1: lr * g / (|g| + 1e-8)
    trainer = _digits_trainer(learning_rate=0.002, optimizer="adam")
    images, labels = _batch()
    before = _params(trainer)
    _, grads = trainer.model.loss_and_gradients(images, labels)
    trainer.step(images, labels)
    for name in before:
        update = before[name] - trainer.model.params[name]
        big = np.abs(grads[name]) > 1e-2
        assert big.sum() >= min(10, big.size - 1), name
        np.testing.assert_allclose(update[big], 0.002 * np.sign(grads[name][big]),
                                   rtol=0, atol=0.002 * 1e-6, err_msg=name)
        assert np.all(np.abs(update) <= 0.002 * (1 + 1e-12))  # never more than lr per cell


def test_momentum_second_update_is_learning_rate_times_mu_g1_plus_g2():
    trainer = _digits_trainer(learning_rate=0.05, optimizer="momentum", momentum=0.8)
    images, labels = _batch()
    _, g1 = trainer.model.loss_and_gradients(images, labels)
    trainer.step(images, labels)
    after_first = _params(trainer)
    _, g2 = trainer.model.loss_and_gradients(images, labels)
    trainer.step(images, labels)
    for name in after_first:
        update = after_first[name] - trainer.model.params[name]
        assert not np.allclose(g1[name], g2[name]), name  # otherwise the test proves little
        np.testing.assert_allclose(update, 0.05 * (0.8 * g1[name] + g2[name]),
                                   rtol=1e-10, atol=1e-15, err_msg=name)


def test_lr_decay_multiplies_the_step_by_decay_to_the_power_of_finished_epochs():
    decayed = _toy_trainer(learning_rate=0.05, batch_size=1, optimizer="sgd", lr_decay=0.5,
                           shuffle=False)
    plain = _toy_trainer(learning_rate=0.05, batch_size=1, optimizer="sgd", shuffle=False)
    for trainer in (decayed, plain):
        trainer.run_epoch()
        trainer.run_epoch()
    # epochs 1 and 2 differ already (epoch 2 runs at half the rate), so compare one step
    # from the same params: epoch 3 runs at 0.05 * 0.5**2
    decayed.model.params = _params(plain)
    toy = toy_digits()
    before = _params(plain)
    for trainer in (decayed, plain):
        trainer.step(toy.train_images, toy.train_labels)
    for name in before:
        full = before[name] - plain.model.params[name]
        np.testing.assert_allclose(before[name] - decayed.model.params[name], 0.25 * full,
                                   rtol=1e-12, atol=1e-16, err_msg=name)
        assert np.max(np.abs(full)) > 1e-6


def test_freeze_kernels_leaves_the_kernels_bit_identical_while_the_dense_layer_learns():
    trainer = _digits_trainer(learning_rate=0.01, optimizer="adam", freeze_kernels=True)
    before = _params(trainer)
    trainer.run_epoch()
    np.testing.assert_array_equal(trainer.model.params["kernels"], before["kernels"])
    assert np.max(np.abs(trainer.model.params["weights"] - before["weights"])) > 1e-3
    assert np.max(np.abs(trainer.model.params["bias"] - before["bias"])) > 1e-3
    assert trainer.history[-1].test_accuracy > 0.5


def test_float32_training_step_matches_float64_closely():
    single = _digits_trainer(learning_rate=0.01, optimizer="sgd", dtype=np.float32)
    double = _digits_trainer(learning_rate=0.01, optimizer="sgd")
    images, labels = _batch(32)
    assert single.step(images, labels) == pytest.approx(double.step(images, labels), rel=1e-5)
    for name in double.model.params:
        assert single.model.params[name].dtype == np.float64  # params stay float64
        np.testing.assert_allclose(single.model.params[name], double.model.params[name],
                                   rtol=1e-5, atol=1e-7, err_msg=name)


# --- Divergence -----------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning",
                            "ignore:invalid value:RuntimeWarning")
def test_an_overflowing_learning_rate_raises_training_diverged_and_restores_the_epoch_start():
    # lr 1e300: the first step moves weights to ~1e299, the next logits overflow to inf
    trainer = _digits_trainer(learning_rate=1e300, optimizer="sgd", batch_size=32)
    before = _params(trainer)
    with pytest.raises(TrainingDiverged, match="restored") as caught:
        trainer.run_epoch()
    assert isinstance(caught.value, ValueError)
    for name in before:
        np.testing.assert_array_equal(trainer.model.params[name], before[name], err_msg=name)
    assert trainer.epoch == 0 and trainer.history == [] and trainer.updates == 0


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning",
                            "ignore:invalid value:RuntimeWarning")
def test_divergence_in_a_later_epoch_restores_that_epochs_start_and_the_adam_state():
    trainer = _digits_trainer(learning_rate=0.01, optimizer="adam", batch_size=64)
    trainer.run_epoch()
    before, updates = _params(trainer), trainer.updates
    slots = {name: {k: v.copy() for k, v in slot.items()} for name, slot in trainer.slots.items()}
    trainer.model.params["weights"] = np.full_like(before["weights"], 1e308)  # logits -> inf
    poisoned = _params(trainer)
    with pytest.raises(TrainingDiverged):
        trainer.run_epoch()
    for name in before:
        np.testing.assert_array_equal(trainer.model.params[name], poisoned[name], err_msg=name)
    assert trainer.updates == updates and trainer.epoch == 1 and len(trainer.history) == 1
    for name, slot in slots.items():
        for key, value in slot.items():
            np.testing.assert_array_equal(trainer.slots[name][key], value)


# --- Configuration --------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    ({"learning_rate": 0}, "learning rate"),
    ({"learning_rate": -0.1}, "learning rate"),
    ({"learning_rate": float("nan")}, "learning rate"),
    ({"learning_rate": float("inf")}, "learning rate"),
    ({"batch_size": 0}, "batch size"),
    ({"batch_size": 2.5}, "batch size"),
    ({"batch_size": True}, "batch size"),
    ({"optimizer": "rmsprop"}, "optimizer"),
    ({"lr_decay": 0}, "decay"),
    ({"lr_decay": 1.5}, "decay"),
    ({"momentum": 1.0}, "momentum"),
    ({"momentum": -0.1}, "momentum"),
])
def test_train_config_refuses_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**kwargs)


def test_trainer_refuses_labels_that_do_not_match_the_images():
    toy = toy_digits()
    model = TinyCNN(2, 3, (5, 5), 2, 10)
    with pytest.raises(ValueError, match=r"outside 0\.\.9"):
        Trainer(model, toy.train_images, [8, 10], toy.test_images, toy.test_labels)
    with pytest.raises(ValueError, match="expected 2 labels"):
        Trainer(model, toy.train_images, [8], toy.test_images, toy.test_labels)
    with pytest.raises(ValueError, match="5x5"):
        Trainer(model, np.zeros((2, 8, 8)), [1, 2], toy.test_images, toy.test_labels)


def test_trainer_refuses_test_images_of_the_wrong_size_when_it_is_built():
    toy = toy_digits()
    with pytest.raises(ValueError, match="5x5"):
        Trainer(TinyCNN(2, 3, (5, 5), 2, 10), toy.train_images, toy.train_labels,
                np.zeros((1, 8, 8)), [2])


def test_trainer_accepts_images_given_as_nested_lists():
    toy = toy_digits()
    trainer = Trainer(TinyCNN(2, 3, (5, 5), 2, 10), toy.train_images.tolist(), [8, 2],
                      toy.test_images.tolist(), [2], TrainConfig(optimizer="sgd"))
    assert trainer.run_epoch().epoch == 1


def test_train_config_refuses_a_dtype_other_than_float32_or_float64():
    with pytest.raises(ValueError, match="dtype"):
        TrainConfig(dtype=np.int32)


# --- The real digits ------------------------------------------------------------------------

def test_tinycnn_reaches_97_percent_test_accuracy_on_the_handwritten_digits():
    trainer = _digits_trainer(n_kernels=16, learning_rate=0.02, batch_size=32, optimizer="adam",
                              lr_decay=0.8, seed=0, dtype=np.float32)
    for _ in range(12):
        trainer.run_epoch()
    assert trainer.history[-1].test_accuracy >= 0.97


def test_a_diverged_epoch_rolls_back_the_shuffle_so_a_retry_sees_the_same_order():
    trainer = _digits_trainer(learning_rate=1e300, optimizer="sgd", batch_size=32)
    before = trainer.rng.bit_generator.state
    with pytest.raises(TrainingDiverged):
        trainer.run_epoch()
    assert trainer.rng.bit_generator.state == before


# --- A ConvNet trains through the same interface ---------------------------------------------

def _convnet_trainer(limit=400, augment=None, **config):
    digits = handwritten_digits()
    spec = NetworkSpec((8, 8), (BlockSpec(6, 3, padding=1), BlockSpec(8, 3, padding=1)), 10)
    return Trainer(ConvNet(spec, seed=0), digits.train_images[:limit],
                   digits.train_labels[:limit], digits.test_images[:limit],
                   digits.test_labels[:limit], TrainConfig(**config), augment=augment)


def test_a_two_block_convnet_learns_the_digits():
    trainer = _convnet_trainer(limit=None, learning_rate=0.01, batch_size=32, seed=1)
    for _ in range(6):
        trainer.run_epoch()
    losses = [report.train_loss for report in trainer.history]
    assert losses[-1] < 0.5 * losses[0]
    assert trainer.history[-1].test_accuracy >= 0.9


def test_freeze_kernels_leaves_every_blocks_kernels_and_biases_bit_identical():
    trainer = _convnet_trainer(learning_rate=0.01, freeze_kernels=True)
    before = _params(trainer)
    trainer.run_epoch()
    for name in ("block1.kernels", "block1.bias", "block2.kernels", "block2.bias"):
        np.testing.assert_array_equal(trainer.model.params[name], before[name], err_msg=name)
    assert np.max(np.abs(trainer.model.params["dense.weights"] - before["dense.weights"])) > 1e-3


def test_convnet_sgd_update_is_learning_rate_times_the_gradient_of_every_param():
    trainer = _convnet_trainer(learning_rate=0.03, optimizer="sgd")
    images, labels = _batch()
    before = _params(trainer)
    _, grads = trainer.model.loss_and_gradients(images, labels)
    trainer.step(images, labels)
    for name in before:
        np.testing.assert_allclose(before[name] - trainer.model.params[name], 0.03 * grads[name],
                                   rtol=1e-12, atol=1e-15, err_msg=name)


# --- Progress within an epoch -----------------------------------------------------------------

@pytest.mark.parametrize("make", [_digits_trainer, _convnet_trainer])
def test_run_batches_in_pieces_gives_exactly_what_run_epoch_gives(make):
    whole = make(limit=300, learning_rate=0.01, batch_size=32, seed=5)
    pieces = make(limit=300, learning_rate=0.01, batch_size=32, seed=5)
    assert pieces.batches_per_epoch == 10  # ceil(300 / 32)
    for _ in range(2):
        whole.run_epoch()
        assert pieces.run_batches(3) is None and pieces.batches_done == 3
        assert pieces.run_batches(4) is None and pieces.batches_done == 7
        report = pieces.run_batches(100)  # stops at the end of the epoch
        assert report is not None and pieces.batches_done == 0
    assert pieces.history == whole.history and pieces.epoch == 2
    for name, value in _params(whole).items():
        np.testing.assert_array_equal(pieces.model.params[name], value, err_msg=name)


def test_run_epoch_after_some_batches_finishes_that_epoch():
    trainer = _digits_trainer(limit=300, learning_rate=0.01, batch_size=32)
    trainer.run_batches(4)
    report = trainer.run_epoch()
    assert report.epoch == 1 and trainer.batches_done == 0 and trainer.updates == 10


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning",
                            "ignore:invalid value:RuntimeWarning")
def test_divergence_midway_restores_the_start_of_the_epoch_and_its_progress():
    trainer = _convnet_trainer(learning_rate=1e300, optimizer="sgd", batch_size=32)
    before, shuffle = _params(trainer), trainer.rng.bit_generator.state
    augment_state = trainer.augment_rng.bit_generator.state
    with pytest.raises(TrainingDiverged, match="restored"):
        trainer.run_batches(5)
    for name in before:
        np.testing.assert_array_equal(trainer.model.params[name], before[name], err_msg=name)
    assert trainer.batches_done == 0 and trainer.updates == 0 and trainer.epoch == 0
    assert trainer.rng.bit_generator.state == shuffle
    assert trainer.augment_rng.bit_generator.state == augment_state


# --- Augmentation hook ------------------------------------------------------------------------

def _shift_noise(images, rng):
    """A test augmentation: every image moves by a random whole cell and gets noise."""
    shifts = rng.integers(-1, 2, size=(len(images), 2))
    moved = np.stack([np.roll(image, tuple(shift), axis=(0, 1))
                      for image, shift in zip(images, shifts, strict=True)])
    return moved + rng.normal(scale=0.5, size=images.shape)


def test_augmentation_is_deterministic_from_the_seed_and_changes_the_training():
    runs = [_convnet_trainer(augment=_shift_noise, learning_rate=0.01, seed=seed)
            for seed in (7, 7, 8)]
    plain = _convnet_trainer(learning_rate=0.01, seed=7)
    for trainer in (*runs, plain):
        trainer.run_epoch()
    same, other = _params(runs[0]), _params(runs[2])
    np.testing.assert_array_equal(runs[1].model.params["dense.weights"], same["dense.weights"])
    assert runs[0].history == runs[1].history
    assert not np.array_equal(other["dense.weights"], same["dense.weights"])
    assert not np.array_equal(plain.model.params["dense.weights"], same["dense.weights"])


def test_augmentation_sees_copies_of_training_batches_only_and_evaluation_sees_the_originals():
    seen = []

    def record(images, rng):
        seen.append(len(images))
        images += 100.0  # changes the copy it was handed, never the training set
        return images

    trainer = _convnet_trainer(limit=100, augment=record, learning_rate=0.01, batch_size=32)
    originals = trainer.train_images.copy()
    report = trainer.run_epoch()
    assert seen == [32, 32, 32, 4]  # the training mini-batches, nothing for evaluation
    np.testing.assert_array_equal(trainer.train_images, originals)
    _, accuracy = evaluate(trainer.model, trainer.train_images, trainer.train_labels)
    assert report.train_accuracy == accuracy


def test_an_augmentation_that_changes_the_shape_is_refused_with_a_message():
    trainer = _convnet_trainer(augment=lambda images, rng: images[:, :4], learning_rate=0.01)
    with pytest.raises(ValueError, match="augmentation returned shape"):
        trainer.run_batches(1)


def test_the_editors_two_block_preset_reads_95_percent_of_held_out_mnist_digits():
    """The LeNet-like preset (8 then 16 channels, 3x3, max pool 2) in 6 epochs of Adam on
    the validation split's 3,500 digits: 96.0 % of its 500 held-out digits when measured
    (about 15 s); the bound leaves a point for another machine's BLAS."""
    from cnn_core.mnist import mnist_validation

    data = mnist_validation()
    spec = NetworkSpec((28, 28), (BlockSpec(8, 3), BlockSpec(16, 3)), 10)
    trainer = Trainer(ConvNet(spec, seed=3), data.train_images, data.train_labels,
                      data.test_images, data.test_labels,
                      TrainConfig(learning_rate=0.003, lr_decay=0.9, batch_size=32, seed=3,
                                  dtype=np.float32))
    for _ in range(6):
        trainer.run_epoch()
    assert trainer.history[-1].test_accuracy >= 0.95
    assert trainer.history[-1].train_loss < 0.5 * trainer.history[0].train_loss

"""The notes' training loop as the notes write it, generalised to K kernels and mini-batches.

This is the benchmark's "before" column: per-image Python loops over output cells, window
cells and kernel cells (In [225]-[228] and the body of In [245]), run once per kernel, the
gradients of a mini-batch averaged before one SGD update. Two changes from the notes, both
needed to make it a fair, correct baseline: each image's OWN pixels feed its kernel gradient
(the notes' multi-image loop reads ``image``), and several kernels. The max-pool backward
keeps the notes' rule (every tied cell gets the gradient). Not used by the app or the tests.
"""

from __future__ import annotations

import numpy as np


def conv2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The notes' In [225]: valid cross-correlation, one output cell at a time."""
    kernel_height, kernel_width = kernel.shape
    image_height, image_width = image.shape
    output_height = image_height - kernel_height + 1
    output_width = image_width - kernel_width + 1
    output = np.zeros((output_height, output_width))
    for i in range(output_height):
        for j in range(output_width):
            region = image[i:i + kernel_height, j:j + kernel_width]
            output[i, j] = np.sum(region * kernel)
    return output


def relu(x: np.ndarray) -> np.ndarray:
    """The notes' In [226]: max(0, x)."""
    return np.maximum(0, x)


def max_pooling(image: np.ndarray, pool_size: int = 2) -> np.ndarray:
    """The notes' In [227]: max over each window, cut-off edge windows kept."""
    image_height, image_width = image.shape
    output_height = (image_height + pool_size - 1) // pool_size
    output_width = (image_width + pool_size - 1) // pool_size
    output = np.zeros((output_height, output_width))
    for i in range(output_height):
        for j in range(output_width):
            start_i, start_j = i * pool_size, j * pool_size
            end_i = min(start_i + pool_size, image_height)
            end_j = min(start_j + pool_size, image_width)
            output[i, j] = np.max(image[start_i:end_i, start_j:end_j])
    return output


def softmax(x: np.ndarray) -> np.ndarray:
    """The notes' In [228]: exp(x - max x) / sum."""
    exp_x = np.exp(x - np.max(x))
    return exp_x / np.sum(exp_x)


def forward_loops(params: dict, image: np.ndarray, pool_size: int = 2) -> np.ndarray:
    """Probabilities (C,) for one image (H, W): every kernel's map, ReLU, pool, dense, softmax."""
    pooled = [max_pooling(relu(conv2d(image, kernel)), pool_size) for kernel in params["kernels"]]
    flattened = np.concatenate([p.flatten() for p in pooled])
    return softmax(np.dot(flattened, params["weights"]) + params["bias"])


def image_gradients_loops(params: dict, image: np.ndarray, label: int,
                          pool_size: int = 2) -> tuple[float, dict]:
    """Loss and gradients for one image, the notes' In [245] body run for each of K kernels.

    params: kernels (K, k, k), weights (K * ph * pw, C), bias (C,). Returns (loss, grads).
    """
    kernels, fc_weights, fc_bias = params["kernels"], params["weights"], params["bias"]
    feature_maps = [conv2d(image, kernel) for kernel in kernels]
    activated = [relu(fm) for fm in feature_maps]
    pooled = [max_pooling(a, pool_size) for a in activated]
    flattened = np.concatenate([p.flatten() for p in pooled])
    output_layer = softmax(np.dot(flattened, fc_weights) + fc_bias)
    target = np.zeros_like(output_layer)
    target[label] = 1.0
    loss_gradient = output_layer - target
    grads = {"weights": np.dot(flattened[:, np.newaxis], loss_gradient[np.newaxis, :]),
             "bias": loss_gradient, "kernels": np.zeros_like(kernels)}
    flattened_gradient = np.dot(fc_weights, loss_gradient)
    size = pooled[0].size
    for c, kernel in enumerate(kernels):
        pooled_gradient = flattened_gradient[c * size:(c + 1) * size].reshape(pooled[c].shape)
        feature_map_gradient = np.zeros_like(activated[c])
        for i in range(pooled[c].shape[0]):
            for j in range(pooled[c].shape[1]):
                max_val = pooled[c][i, j]
                for m in range(pool_size):
                    for n in range(pool_size):
                        orig_x, orig_y = i * pool_size + m, j * pool_size + n
                        if orig_x < activated[c].shape[0] and orig_y < activated[c].shape[1]:
                            if activated[c][orig_x, orig_y] == max_val:
                                feature_map_gradient[orig_x, orig_y] = pooled_gradient[i, j]
        feature_map_gradient *= np.where(feature_maps[c] > 0, 1, 0)
        out_h, out_w = feature_maps[c].shape
        for i in range(kernel.shape[0]):
            for j in range(kernel.shape[1]):
                grads["kernels"][c, i, j] = np.sum(image[i:i + out_h, j:j + out_w]
                                                   * feature_map_gradient)
    return -float(np.log(output_layer[label])), grads


def train_epoch_loops(params: dict, images: np.ndarray, labels: np.ndarray, *,
                      batch_size: int = 32, learning_rate: float = 0.01, pool_size: int = 2,
                      max_batches: int | None = None) -> float:
    """Mini-batch SGD over (N, H, W) images in the given order, updating ``params`` in place.

    Each batch: the mean of its per-image gradients, then w -= lr * mean. ``max_batches``
    stops early (the benchmark times a fraction of the epoch). Returns the mean loss.
    """
    losses = []
    for batch, start in enumerate(range(0, len(images), batch_size)):
        if max_batches is not None and batch >= max_batches:
            break
        totals = {name: np.zeros_like(value) for name, value in params.items()}
        rows = range(start, min(start + batch_size, len(images)))
        for row in rows:
            loss, grads = image_gradients_loops(params, images[row], int(labels[row]), pool_size)
            losses.append(loss)
            for name in totals:
                totals[name] += grads[name]
        for name in params:
            params[name] -= learning_rate * totals[name] / len(rows)
    return float(np.mean(losses))

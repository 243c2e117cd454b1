"""The public API documents its parameters and results in numpydoc sections (numpydoc's own validator), so that
the generated API reference says what each argument is and what comes back."""
from __future__ import annotations

import pytest
from numpydoc.validate import validate

PUBLIC_API = """
tpneuro.network.forward_pass.forward tpneuro.network.weights.init_forward_params
tpneuro.training.trainer.train tpneuro.training.trainer.Trainer tpneuro.training.trainer.Trainer.run
tpneuro.training.trainer.train_together tpneuro.training.trainer.run_together
tpneuro.engines.protocol.Engine.train_epochs tpneuro.engines.protocol.Engine.feedback_epochs
tpneuro.hardware.chip_instance.ChipInstance.numbers tpneuro.hardware.chip_instance.ChipInstance.with_numbers
tpneuro.config.config_loading.load_config tpneuro.config.config_loading.validate_config
tpneuro.rules.registry.make_rule tpneuro.rules.registry.register_rule tpneuro.rules.base.LearningRule
tpneuro.rules.backprop.Backprop tpneuro.rules.feedback_alignment.FeedbackAlignment
tpneuro.rules.direct_feedback_alignment.DirectFeedbackAlignment tpneuro.rules.target_prop.TargetProp
tpneuro.rules.difference_target_prop.DifferenceTargetProp tpneuro.rules.difference_reconstruction.DifferenceReconstruction
tpneuro.rules.ddtp_linear.DDTPLinear tpneuro.rules.ddtp_rhl.DDTPRHL tpneuro.rules.gauss_newton_targets.GaussNewtonTargets
tpneuro.runs.preflight.preflight tpneuro.runs.loading.evaluate_run tpneuro.runs.loading.load_run
tpneuro.runs.assembly.build_state tpneuro.runs.assembly.assemble
tpneuro.engines.registry.get_engine tpneuro.engines.registry.register_engine
tpneuro.engines.protocol.Engine.train_batch tpneuro.engines.protocol.Engine.feedback_batch
tpneuro.engines.protocol.Engine.predict tpneuro.engines.protocol.Engine.evaluate tpneuro.engines.protocol.Engine.check_run
tpneuro.engines.protocol.Engine.spike_trains tpneuro.engines.protocol.SpikingEngine.rates
tpneuro.engines.protocol.SpikingEngine.nudged_weight_change
tpneuro.hardware.profile_loading.load_profile tpneuro.hardware.profile_loading.list_profiles
tpneuro.hardware.chip_instance.ChipInstance tpneuro.hardware.chip_instance.ChipInstance.quantize_weights
tpneuro.hardware.chip_instance.ChipInstance.apply_update tpneuro.hardware.chip_instance.ChipInstance.activity
tpneuro.hardware.design_rules.check_design_rules tpneuro.hardware.energy_accounting.energy_report
tpneuro.sweeps.sweep_runner.run_sweep tpneuro.sweeps.sweep_runner.plan_sweep tpneuro.sweeps.sweep_spec.load_sweep_spec
tpneuro.deployment.chip_deployment.RunDeployer.deploy tpneuro.deployment.chip_comparison.compare_chips
""".split()
CHECKS = {"GL08": "no docstring", "PR01": "a parameter is not documented", "PR02": "an unknown parameter is documented",
          "RT01": "no Returns section"}


@pytest.mark.parametrize("name", PUBLIC_API)
def test_public_api_documents_its_parameters_and_returns(name):
    problems = [f"{code} ({CHECKS[code]}): {message}" for code, message in validate(name)["errors"] if code in CHECKS]
    assert not problems, problems

"""The schema of an experiment config (``models/*.yaml``): every field, its default and its meaning.

Validated with pydantic before any data is loaded; ``rule`` hyper-parameters are validated by the
chosen rule's own schema (tpneuro.rules).
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..errors import ConfigError
from ..network import ACTIVATIONS


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatasetConfig(Section):
    """The data: which dataset, where its files are, and how it is split."""

    name: str = Field("digits", description="fashion_mnist, mnist, idx, digits or teacher")
    path: str | None = Field(None, description="directory holding the IDX files (fashion_mnist, mnist, idx)")
    validation_size: int | None = Field(None, ge=0, description="samples held out of the training set")
    train_subset: int | None = Field(None, ge=1, description="keep only the first N training samples")
    test_subset: int | None = Field(None, ge=1, description="keep only the first N test samples")


class NetworkConfig(Section):
    """Layer sizes, activations and number type; the input and output sizes come from the dataset."""

    hidden: list[Annotated[int, Field(ge=1)]] = Field(default_factory=lambda: [64],
                                                      description="hidden layer sizes, each a whole number >= 1")
    activation: str = Field("tanh", description="hidden activation: tanh, sigmoid, relu, linear or soft_lif")
    output_activation: str = Field("linear", description="output activation (softmax is in the loss)")
    dtype: Literal["float32", "float64"] = Field("float64", description="number type of weights and activities")
    init_gain: float | list[float] = Field(1.0, description="factor on the Xavier-normal std of the initial "
                                           "W_1..W_L: one number for every layer, or a list with one per layer "
                                           "(e.g. [3, 1]: LIF hidden layers, threshold current 1, need more "
                                           "input current than Xavier gives to fire at all)")

    @field_validator("init_gain")
    @classmethod
    def _positive_gains(cls, gain):
        if any(g <= 0 for g in (gain if isinstance(gain, list) else [gain])):
            raise ValueError(f"every init_gain must be > 0 (got {gain})")
        return gain

    def layer_gains(self, n_layers: int, source: str = "config") -> tuple[float, ...]:
        """One init gain per weight matrix W_1..W_L."""
        if not isinstance(self.init_gain, list):
            return (float(self.init_gain),) * n_layers
        if len(self.init_gain) != n_layers:
            raise ConfigError(source, "network.init_gain", f"{len(self.init_gain)} gains for {n_layers} weight "
                              "layers", f"give one number, or a list of {n_layers} (one per W_i)")
        return tuple(float(g) for g in self.init_gain)

    @field_validator("activation", "output_activation")
    @classmethod
    def _known_activation(cls, name: str) -> str:
        if name not in ACTIVATIONS:
            raise ValueError(f"unknown activation {name!r}; use one of {', '.join(sorted(ACTIVATIONS))}")
        return name


class RuleConfig(BaseModel):
    """``name`` plus the rule's own hyper-parameters (checked against the rule's schema)."""

    model_config = ConfigDict(extra="allow")
    name: str = Field(description="the rule (see `tpneuro rules`); its hyper-parameters sit beside it")

    def hyperparams(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class OptimizerConfig(Section):
    """The optimizer of the forward weights (``optimizer``) or of the feedback weights
    (``feedback_optimizer``, for the rules with trained feedback on the rate engine)."""

    kind: Literal["adam", "rmsprop", "sgd"] = Field("adam", description="adam (Kingma & Ba 2015), centred rmsprop "
                                                    "with momentum (Graves 2013; Lee et al. 2015's optimizer) or "
                                                    "sgd with momentum (the spiking engines' online step)")
    lr: float = Field(gt=0, description="learning rate (the effective lr = lr/beta of the paper)")
    betas: tuple[float, float] = Field((0.9, 0.999), description="adam: moment decay rates")
    momentum: float | None = Field(None, ge=0, lt=1, description="rmsprop and sgd: momentum of the step "
                                                                 "(default 0.9 rmsprop, 0 sgd)")
    averaging: float = Field(0.95, gt=0, lt=1, description="rmsprop: decay of the running gradient moments")
    eps: float | None = Field(None, gt=0, description="adam: added to sqrt(v) (default 1e-8); rmsprop: added "
                                                     "under the square root (default 1e-3, Lee et al. 2015's)")
    weight_decay: float = Field(0.0, ge=0, description="L2 penalty coefficient added to the gradient")


class LrScheduleConfig(Section):
    """A factor on every learning rate of a run, per training epoch e = 1, 2, ... (Adam's lr on the rate
    engine, the in-simulation learning rates of the spiking engines; on a chip the scaled rate is rounded to
    the chip's learning-rate mantissa):

    - constant: 1;
    - inverse: 1 / (1 + decay (e - 1)), the inverse-time decay of online SGD (Bottou 2012, "Stochastic
      gradient descent tricks", Neural Networks: Tricks of the Trade: gamma_t = gamma_0 / (1 + gamma_0
      lambda t), here per epoch);
    - step: gamma^floor((e - 1) / step_epochs).
    """

    kind: Literal["constant", "inverse", "step"] = Field("constant", description="the schedule (see above)")
    decay: float = Field(0.0, ge=0, description="inverse: the factor is 1 / (1 + decay (epoch - 1))")
    step_epochs: int = Field(1, ge=1, description="step: epochs between two multiplications by gamma")
    gamma: float = Field(0.5, gt=0, le=1, description="step: the factor applied every step_epochs epochs")

    @model_validator(mode="after")
    def _decay_given(self):
        if self.kind == "inverse" and self.decay == 0:
            raise ValueError("kind 'inverse' needs decay > 0 (decay 0 is kind 'constant')")
        return self

    def factor(self, epoch: int) -> float:
        """The factor of training epoch ``epoch`` (1-based)."""
        if self.kind == "inverse":
            return 1.0 / (1.0 + self.decay * (epoch - 1))
        if self.kind == "step":
            return self.gamma ** ((epoch - 1) // self.step_epochs)
        return 1.0


class DivergenceConfig(Section):
    """When a run counts as diverged and stops, keeping its last finished epoch (a non-finite loss or weight always
    does). Each bound can be switched off with null."""

    max_loss: float | None = Field(50.0, gt=0, description="stop when a minibatch's mean training loss exceeds this "
                                   "(cross-entropy: chance level on 10 classes is ln 10 = 2.3)")
    growth: float | None = Field(10.0, gt=1, description="stop when an epoch's training loss exceeds this factor "
                                 "times the lowest training loss of the previous `window` epochs")
    window: int = Field(3, ge=1, description="epochs the growth bound looks back")
    max_reconstruction_loss: float | None = Field(1e6, gt=0, description="stop when an epoch's feedback "
                                                  "reconstruction loss exceeds this")


class TrainingConfig(Section):
    """The training schedule (the "parallel" one of Meulemans et al. 2020: feedback-only epochs first, then
    per minibatch a forward update and a feedback step, and feedback-only epochs after each epoch)."""

    epochs: int = Field(10, ge=1, description="training epochs (forward and feedback updates)")
    batch_size: int = Field(128, ge=1, description="samples per minibatch")
    epochs_fb: int = Field(0, ge=0, description="feedback-only epochs before training")
    extra_fb_epochs: int = Field(0, ge=0, description="feedback-only epochs after every epoch")
    input_noise: float = Field(0.0, ge=0, description="std of Gaussian noise added to training inputs "
                                                      "(0.3 in Lee et al. 2015's stochastic network)")
    eval_passes: int = Field(1, ge=1, description="stochastic passes averaged (softmax) per evaluation input; "
                                                  "100 in Lee et al. 2015")
    lr_schedule: LrScheduleConfig = Field(default_factory=LrScheduleConfig,
                                          description="per-epoch factor on every learning rate")
    divergence: DivergenceConfig = Field(default_factory=DivergenceConfig,
                                         description="when a run counts as diverged and stops")


class DiagnosticsConfig(Section):
    """Theory diagnostics per epoch on a fixed batch (Meulemans et al. 2020); off: none computed."""

    enabled: bool = Field(False, description="compute alignment angles, null-space ratio, Condition 2 per epoch")
    batch_size: int = Field(128, ge=2, description="training samples the diagnostics are computed on")
    gn_damping: float = Field(0.0, ge=0, description="damping lambda of the Gauss-Newton references")


class HardwareConfig(Section):
    """The chip a network trains and runs on (a ``hardware_profiles/`` name or a profile file path)."""

    profile: str = Field(description="hardware profile name (see `tpneuro profiles`) or path to a profile YAML")
    chip_seed: int | None = Field(None, description="seed of the chip instance's frozen mismatch (default: seed)")
    design_rules: Literal["enforce", "report"] = Field(
        "enforce", description="enforce: refuse a network that breaks a design rule; report: only list them")


class ExperimentConfig(Section):
    """A whole experiment: one file of ``models/``."""

    name: str = Field("experiment", description="names the run directory (runs/NAME-TIME by default)")
    seed: int = Field(0, description="seed of every random number of the run: weights, data order, noise")
    engine: str = Field("rate", description="what runs the network: rate (numpy), brian2 or nengo")
    engine_options: dict[str, Any] = Field(default_factory=dict, description="settings of a spiking engine "
                                           "(time step, phase durations, learning rates): the fields of "
                                           "Brian2Options or NengoOptions; the rate engine takes none")
    hardware: HardwareConfig | None = Field(None, description="train on a modeled chip: a profile name, or a "
                                            "mapping with profile, chip_seed, design_rules")
    dataset: DatasetConfig = Field(default_factory=DatasetConfig, description="the data and its split")
    network: NetworkConfig = Field(default_factory=NetworkConfig, description="layer sizes and activations")
    rule: RuleConfig = Field(description="the learning rule and its hyper-parameters")
    optimizer: OptimizerConfig | None = Field(None, description="the forward weights' optimizer, required by engines "
                                              "that learn through optimizer steps (the rate engine); the spiking "
                                              "engines learn inside their simulation at engine_options.learning_rate")
    feedback_optimizer: OptimizerConfig | None = Field(None, description="the trained feedback weights' optimizer "
                                                       "(rate engine, rules with trained feedback)")
    training: TrainingConfig = Field(default_factory=TrainingConfig, description="epochs, batches, schedule")
    diagnostics: DiagnosticsConfig = Field(default_factory=DiagnosticsConfig,
                                           description="theory diagnostics per epoch")

    @field_validator("hardware", mode="before")
    @classmethod
    def _profile_name_alone(cls, value):
        """``hardware: loihi2`` is short for ``hardware: {profile: loihi2}``."""
        return {"profile": value} if isinstance(value, str) else value

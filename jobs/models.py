"""The networks a run can train: an MLP for any feature vector and a small CNN for the 8x8 digits."""

from __future__ import annotations

import torch
from torch import nn

from dash_app.jobs.config import TrainConfig


class MLP(nn.Module):
    """Two hidden layers with ReLU; ``outputs`` is the class count, or 1 for a regression."""

    def __init__(self, inputs: int, hidden: int, outputs: int) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(inputs, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, outputs),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


class DigitsCNN(nn.Module):
    """Two 3x3 convolutions and a linear head for 1x8x8 images (64 flat pixels in, logits out)."""

    def __init__(self, hidden: int, outputs: int = 10) -> None:
        super().__init__()
        channels = max(8, min(hidden, 64))
        self.features = nn.Sequential(
            nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(),
            nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),  # 8x8 -> 4x4
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(channels * 16, hidden), nn.ReLU(), nn.Linear(hidden, outputs))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x.view(-1, 1, 8, 8)))


def build_model(config: TrainConfig, n_features: int, n_outputs: int) -> nn.Module:
    """Return the network the config asks for, sized for the data."""
    if config.model == "cnn":
        return DigitsCNN(config.hidden_size, n_outputs)
    return MLP(n_features, config.hidden_size, n_outputs)


def build_optimizer(config: TrainConfig, model: nn.Module) -> torch.optim.Optimizer:
    """Return the optimizer the config names, at its learning rate."""
    if config.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=config.learning_rate, momentum=0.9)
    if config.optimizer == "adamw":
        return torch.optim.AdamW(model.parameters(), lr=config.learning_rate)
    return torch.optim.Adam(model.parameters(), lr=config.learning_rate)

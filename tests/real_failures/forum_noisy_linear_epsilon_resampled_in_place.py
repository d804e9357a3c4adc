# expect: error
# source: https://github.com/PacktPublishing/Deep-Reinforcement-Learning-Hands-On-Second-Edition/issues/21
# report: replacing two Linear layers of the trading DQN with NoisyLinear gave "[3, 512] is at version 10005; expected version 10004"; each forward resamples the epsilon buffers with normal_(), and the double-DQN loss runs the same net twice before backward
# shape: RL loss: buffer written in place (normal_) in forward after the previous forward's mul saved it
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class NoisyLinear(nn.Linear):
    def __init__(self, in_features, out_features, sigma_init=0.017):
        super().__init__(in_features, out_features)
        self.sigma_weight = nn.Parameter(torch.full((out_features, in_features), sigma_init))
        self.register_buffer("epsilon_weight", torch.zeros(out_features, in_features))
        self.sigma_bias = nn.Parameter(torch.full((out_features,), sigma_init))
        self.register_buffer("epsilon_bias", torch.zeros(out_features))
        std = math.sqrt(3 / in_features)
        nn.init.uniform_(self.weight, -std, std)
        nn.init.uniform_(self.bias, -std, std)

    def forward(self, input):
        self.epsilon_weight.normal_()  # <- error
        self.epsilon_bias.normal_()  # <- error
        bias = self.bias + self.sigma_bias * self.epsilon_bias
        return F.linear(input, self.weight + self.sigma_weight * self.epsilon_weight, bias)


def make_inputs():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), NoisyLinear(8, 3))
    tgt_net = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))
    states, next_states = torch.randn(4, 5), torch.randn(4, 5)
    return net, tgt_net, states, torch.tensor([0, 2, 1, 1]), torch.randn(4), next_states


def run(net, tgt_net, states, actions, rewards, next_states, gamma=0.99):
    state_action_values = net(states).gather(1, actions.unsqueeze(-1)).squeeze(-1)
    next_state_actions = net(next_states).max(1)[1]
    next_state_values = tgt_net(next_states).gather(1, next_state_actions.unsqueeze(-1)).squeeze(-1)
    expected = rewards + gamma * next_state_values.detach()
    return F.mse_loss(state_action_values, expected)


def reference(net, tgt_net, states, actions, rewards, next_states, gamma=0.99):
    hidden, noisy = net[:2], net[2]

    def noisy_forward(x):
        eps_w = torch.empty_like(noisy.epsilon_weight).normal_()
        eps_b = torch.empty_like(noisy.epsilon_bias).normal_()
        return F.linear(x, noisy.weight + noisy.sigma_weight * eps_w, noisy.bias + noisy.sigma_bias * eps_b)

    state_action_values = noisy_forward(hidden(states)).gather(1, actions.unsqueeze(-1)).squeeze(-1)
    next_state_actions = noisy_forward(hidden(next_states)).max(1)[1]
    next_state_values = tgt_net(next_states).gather(1, next_state_actions.unsqueeze(-1)).squeeze(-1)
    return F.mse_loss(state_action_values, rewards + gamma * next_state_values.detach())


if __name__ == "__main__":
    run(*make_inputs()).backward()

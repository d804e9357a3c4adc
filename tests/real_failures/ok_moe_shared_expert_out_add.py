# expect: clean
# source: https://github.com/huggingface/transformers/blob/main/src/transformers/models/llama4/modeling_llama4.py
# report: the Llama 4 MoE block computes out = self.shared_expert(hidden_states) and adds the summed routed-expert outputs with out.add_(...); the shared expert ends in its down projection, a Linear
# shape: add_ onto the output of a project submodule whose forward ends in a Linear
import torch
import torch.nn as nn


class TextMLP(nn.Module):
    def __init__(self, dim=6, hidden=8):
        super().__init__()
        self.gate_proj = nn.Linear(dim, hidden, bias=False)
        self.up_proj = nn.Linear(dim, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, dim, bias=False)

    def forward(self, x):
        return self.down_proj(nn.functional.silu(self.gate_proj(x)) * self.up_proj(x))


class TextMoe(nn.Module):
    def __init__(self, dim=6, num_experts=2):
        super().__init__()
        self.hidden_dim = dim
        self.router = nn.Linear(dim, num_experts, bias=False)
        self.experts = nn.ModuleList(TextMLP(dim) for _ in range(num_experts))
        self.shared_expert = TextMLP(dim)

    def forward(self, hidden_states):
        hidden_states = hidden_states.reshape(-1, self.hidden_dim)
        router_scores = torch.sigmoid(self.router(hidden_states))
        routed_out = torch.stack([e(hidden_states * router_scores[:, i : i + 1]) for i, e in enumerate(self.experts)])
        out = self.shared_expert(hidden_states)
        out.add_(routed_out.sum(dim=0))
        return out


def make_inputs():
    torch.manual_seed(0)
    return TextMoe(), torch.randn(2, 3, 6, requires_grad=True)


def run(moe, hidden_states):
    return moe(hidden_states).pow(2).mean()


if __name__ == "__main__":
    run(*make_inputs()).backward()

import torch
import torch.nn as nn


class VisionTower(nn.Module):
    def __init__(self, patch_dim, hidden_size):
        super().__init__()
        self.proj = nn.Linear(patch_dim, hidden_size)
        self.merger = nn.Sequential(nn.LayerNorm(hidden_size), nn.Linear(hidden_size, hidden_size))

    def forward(self, pixel_values):
        return self.merger(self.proj(pixel_values))


class DecoderLayer(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.norm = nn.LayerNorm(hidden_size)
        self.mlp = nn.Sequential(nn.Linear(hidden_size, 2 * hidden_size), nn.SiLU(), nn.Linear(2 * hidden_size, hidden_size))

    def forward(self, hidden_states):
        return hidden_states + self.mlp(self.norm(hidden_states))


class VLModel(nn.Module):
    def __init__(self, vocab_size=10, patch_dim=6, hidden_size=8, image_token_id=9):
        super().__init__()
        self.image_token_id = image_token_id
        self.visual = VisionTower(patch_dim, hidden_size)
        self.embed_tokens = nn.Embedding(vocab_size, hidden_size)
        self.layers = nn.ModuleList([DecoderLayer(hidden_size) for _ in range(2)])
        self.lm_head = nn.Linear(hidden_size, vocab_size, bias=False)

    def forward(self, input_ids, pixel_values):
        inputs_embeds = self.embed_tokens(input_ids)
        image_mask = (input_ids == self.image_token_id).unsqueeze(-1)
        inputs_embeds = inputs_embeds.masked_scatter(image_mask, self.visual(pixel_values))
        for layer in self.layers:
            inputs_embeds = layer(inputs_embeds)
        return self.lm_head(inputs_embeds)

    def enable_input_require_grads(self):
        def make_inputs_require_grads(module, inputs, output):
            output.requires_grad_(True)

        self.embed_tokens.register_forward_hook(make_inputs_require_grads)

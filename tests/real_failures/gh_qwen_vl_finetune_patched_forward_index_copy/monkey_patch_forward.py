import torch

from model import VLModel


def vl_forward_with_flat_merge(self, input_ids, pixel_values):
    """The model's forward, merging the image features by row index into the flattened embeddings."""
    inputs_embeds = self.embed_tokens(input_ids)
    image_embeds = self.visual(pixel_values)
    flat = inputs_embeds.view(-1, inputs_embeds.shape[-1])
    row_idx = (input_ids.view(-1) == self.image_token_id).nonzero(as_tuple=True)[0]
    flat.index_copy_(0, row_idx, image_embeds.to(flat.dtype))  # <- error
    hidden_states = flat.view_as(inputs_embeds)
    for layer in self.layers:
        hidden_states = layer(hidden_states)
    return self.lm_head(hidden_states)


def replace_vl_forward():
    VLModel.forward = vl_forward_with_flat_merge

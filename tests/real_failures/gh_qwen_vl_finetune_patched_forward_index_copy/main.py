# expect: error
# source: https://github.com/2U1/Qwen-VL-Series-Finetune/pull/178
# report: fine-tuning Qwen2.5-VL with QLoRA and gradient checkpointing raised "a view of a leaf Variable that requires grad is being used in an in-place operation" at `flat.index_copy_(0, row_idx, img)` in the repo's monkey-patched forward; index_copy out of place fixed it
# shape: patched forward in another module: index_copy_ into a view of the embeddings; the training script froze the embedding table and marked its output as requiring grad (input grads for gradient checkpointing), so the embeddings are a leaf
import torch
import torch.nn.functional as F

from model import VLModel
from monkey_patch_forward import replace_vl_forward


def prepare_for_adapter_training(model):
    for name, param in model.named_parameters():
        param.requires_grad = name.startswith("visual.")
    model.enable_input_require_grads()
    return model


def make_inputs():
    torch.manual_seed(0)
    replace_vl_forward()
    model = prepare_for_adapter_training(VLModel())
    input_ids = torch.tensor([[1, 9, 9, 4, 2], [3, 9, 9, 5, 6]])
    return model, input_ids, torch.randn(4, 6), torch.tensor([[9, 9, 4, 2, 0], [9, 9, 5, 6, 0]])


def run(model, input_ids, pixel_values, labels):
    logits = model(input_ids, pixel_values)
    return F.cross_entropy(logits.flatten(0, 1), labels.flatten())


def reference(model, input_ids, pixel_values, labels):
    inputs_embeds = model.embed_tokens(input_ids)
    flat = inputs_embeds.view(-1, inputs_embeds.shape[-1])
    row_idx = (input_ids.view(-1) == model.image_token_id).nonzero(as_tuple=True)[0]
    hidden_states = flat.index_copy(0, row_idx, model.visual(pixel_values)).view_as(inputs_embeds)
    for layer in model.layers:
        hidden_states = layer(hidden_states)
    return F.cross_entropy(model.lm_head(hidden_states).flatten(0, 1), labels.flatten())


if __name__ == "__main__":
    run(*make_inputs()).backward()

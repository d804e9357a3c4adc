# expect: clean
# source: https://github.com/huggingface/transformers/blob/main/src/transformers/models/markuplm/modeling_markuplm.py
# report: the question-answering head clamps the start/end label positions it receives with start_positions.clamp_(0, ignored_index) before the cross-entropy loss
# shape: clamp_ on integer label tensors passed into forward
import torch
import torch.nn as nn


class QuestionAnsweringHead(nn.Module):
    def __init__(self, hidden=6):
        super().__init__()
        self.qa_outputs = nn.Linear(hidden, 2)

    def forward(self, sequence_output, start_positions, end_positions):
        logits = self.qa_outputs(sequence_output)
        start_logits, end_logits = logits.split(1, dim=-1)
        start_logits = start_logits.squeeze(-1).contiguous()
        end_logits = end_logits.squeeze(-1).contiguous()
        ignored_index = start_logits.size(1)
        start_positions.clamp_(0, ignored_index)
        end_positions.clamp_(0, ignored_index)
        loss_fct = nn.CrossEntropyLoss(ignore_index=ignored_index)
        return (loss_fct(start_logits, start_positions) + loss_fct(end_logits, end_positions)) / 2


def make_inputs():
    torch.manual_seed(0)
    return QuestionAnsweringHead(), torch.randn(2, 5, 6, requires_grad=True), torch.tensor([1, 9]), torch.tensor([3, -2])


def run(head, sequence_output, start_positions, end_positions):
    return head(sequence_output, start_positions, end_positions)


if __name__ == "__main__":
    run(*make_inputs()).backward()

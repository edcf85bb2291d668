#!/usr/bin/env python3
# Writes the PyTorch reference goldens the engine's tests compare against (tests never run Python):
# test/golden/transformer_{causal,bidirectional}.safetensors and test/golden/ops.safetensors.
# Re-run:  /usr/bin/python3 tools/golden/make_transformer_golden.py   (Debian python3-torch 1.13)
import copy
import dataclasses
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import op_goldens  # noqa: E402
import safetensors_lite  # noqa: E402
from reference_transformer import Transformer, TransformerConfig, make_adamw  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SEED = 20261122
BATCH, SEQ_LEN = 3, 12
PADDED_SEQUENCE, PADDED_LENGTH = 1, 8      # sequence 1 keeps its first 8 tokens; positions 8..11 are padding
ADAMW = {"lr": 1e-2, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01, "steps": 5}


def initialise(model, generator):
    """PyTorch's default init, then LayerNorm gains/biases moved off 1/0 so their gradients are exercised."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".ln" in f".{name}" and name.endswith(".weight"):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=generator))
            elif ".ln" in f".{name}" and name.endswith(".bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=generator))


def golden(causal):
    config = TransformerConfig(causal=causal)
    torch.manual_seed(SEED)
    generator = torch.Generator().manual_seed(SEED)
    model = Transformer(config)          # float32 init: the stored weights are exactly what was used
    initialise(model, generator)
    tokens = torch.randint(0, config.vocab_size, (BATCH, SEQ_LEN), generator=generator)
    labels = torch.randint(0, config.num_classes, (BATCH,), generator=generator)
    key_padding = torch.zeros(BATCH, SEQ_LEN, dtype=torch.bool)
    key_padding[PADDED_SEQUENCE, PADDED_LENGTH:] = True
    tokens[key_padding] = 0                # padded positions hold token 0; their outputs never reach the loss

    # References are computed in float64 from the float32 weights, then stored as F32.
    model = model.double()
    initial = copy.deepcopy(model)
    activations = {}
    logits = model(tokens, key_padding, activations)
    loss = F.cross_entropy(logits, labels)
    loss.backward()

    out = {"tokens": tokens, "labels": labels, "key_padding_mask": key_padding.to(torch.uint8),
           "logits": logits.detach().float(), "loss": loss.detach().float()}
    out.update({name: value.float() for name, value in activations.items()})
    for name, p in initial.named_parameters():
        out[name] = p.detach().float()
        out[f"grad.{name}"] = dict(model.named_parameters())[name].grad.float()

    trained = copy.deepcopy(initial)
    optimizer = make_adamw(trained, lr=ADAMW["lr"], betas=tuple(ADAMW["betas"]), eps=ADAMW["eps"], weight_decay=ADAMW["weight_decay"])
    losses = []
    for _ in range(ADAMW["steps"]):
        optimizer.zero_grad()
        step_loss = F.cross_entropy(trained(tokens, key_padding), labels)
        losses.append(step_loss.item())
        step_loss.backward()
        optimizer.step()
    out["adamw_losses"] = torch.tensor(losses, dtype=torch.float32)

    metadata = {
        "config": json.dumps(dataclasses.asdict(config)),
        "batch": json.dumps({"batch": BATCH, "seq_len": SEQ_LEN, "padded_sequence": PADDED_SEQUENCE,
                             "padded_length": PADDED_LENGTH}),
        "adamw": json.dumps({**ADAMW, "note": "one param group: weight decay on every parameter; "
                                              "adamw_losses[s] is the loss before step s"}),
        "conventions": ("key_padding_mask: 1 = padded key, masked out of attention and of the mean pooling; "
                        "layer_norm eps 1e-5; gelu tanh approximation; attention scale 1/sqrt(C/H); "
                        "loss = mean cross-entropy over the batch; act.* are forward activations (B,T,C) or (B,C)"),
        "generator": f"tools/golden/make_transformer_golden.py seed {SEED}, torch {torch.__version__}, computed in float64, stored as float32",
    }
    name = "causal" if causal else "bidirectional"
    path = os.path.join(ROOT, "test", "golden", f"transformer_{name}.safetensors")
    safetensors_lite.save(path, out, metadata)
    print(f"{path}: {len(out)} tensors, loss {loss.item():.6f}, adamw losses {[round(v, 6) for v in losses]}")


def main():
    torch.set_num_threads(1)   # reduction order fixed: the same script gives the same bytes
    golden(causal=True)
    golden(causal=False)
    tensors, metadata = op_goldens.build(SEED)
    path = os.path.join(ROOT, "test", "golden", "ops.safetensors")
    safetensors_lite.save(path, tensors, metadata)
    print(f"{path}: {len(tensors)} tensors")
    for _, _, files in os.walk(os.path.join(ROOT, "test", "golden")):
        total = sum(os.path.getsize(os.path.join(ROOT, "test", "golden", f)) for f in files)
        print(f"test/golden total: {total} bytes")
        break


if __name__ == "__main__":
    main()

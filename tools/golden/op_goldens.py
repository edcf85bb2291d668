# Per-op PyTorch references for the engine's kernel and loss tests: for each op the inputs, the output and
# the gradients of sum(output * upstream) (losses use upstream 1), computed in float64 and stored as F32.
import json
import math

import torch
import torch.nn.functional as F

from reference_transformer import attention

KL_TEMPERATURE = 2.0
INFONCE_TEMPERATURE = 0.07

FORMULAS = {
    "linear": "out = x @ weight^T + bias; x (B,T,Cin), weight (Cout,Cin)",
    "layernorm": "out = (x - mean) / sqrt(var + 1e-5) * weight + bias over the last axis (biased variance)",
    "gelu_tanh": "out = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))",
    "softmax": "out = softmax(x) over the last axis; row 3 holds large values (stability)",
    "attention_causal": "out = softmax(q k^T / sqrt(D) with keys j > i masked) v; q,k,v (B,H,T,D)",
    "attention_padded": "out = softmax(q k^T / sqrt(D) with padded keys masked) v; key_padding_mask (B,T) 1 = padded",
    "mean_pool": "out[b] = mean of x[b,t] over t with mask[b,t] = 0 (mask 1 = padded); x (B,T,C)",
    "cross_entropy": "loss = mean_b -log softmax(logits[b])[labels[b]]",
    "kl_temperature": ("loss = T^2 * mean_b sum_j p_t log(p_t / p_s), p_t = softmax(teacher/T), "
                       "p_s = softmax(student/T) (Hinton et al. 2015); T in kl_temperature.temperature; grad w.r.t. student"),
    "infonce": ("loss = mean_b cross_entropy(cos(q_b, k_j) / tau over j, target b): in-batch negatives, "
                "L2-normalised q and k, tau in infonce.temperature"),
    "bce_weighted": "loss = mean_i weight_i * (-(y_i log sigmoid(z_i) + (1 - y_i) log(1 - sigmoid(z_i)))), z = logits",
}


def build(seed):
    g = torch.Generator().manual_seed(seed)

    def randn(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64)

    out = {}

    def op(name, inputs, forward, outputs_are_loss=False, constants=()):
        """Stores inputs, forward output and gradients of every float input not named in constants."""
        leaves = {k: (v.clone().requires_grad_(v.is_floating_point() and k not in constants)) for k, v in inputs.items()}
        result = forward(**leaves)
        upstream = torch.ones_like(result) if outputs_are_loss else randn(*result.shape)
        (result * upstream).sum().backward()
        for k, v in inputs.items():
            out[f"{name}.{k}"] = v.float() if v.is_floating_point() else v
            if v.is_floating_point() and leaves[k].grad is not None:
                out[f"{name}.grad.{k}"] = leaves[k].grad.float()
        out[f"{name}.out"] = result.detach().float()
        if not outputs_are_loss:
            out[f"{name}.grad_out"] = upstream.float()

    op("linear", {"x": randn(2, 3, 8), "weight": randn(6, 8) * 0.3, "bias": randn(6)},
       lambda x, weight, bias: F.linear(x, weight, bias))
    op("layernorm", {"x": randn(3, 5, 16) * 2 + 0.5, "weight": 1 + 0.1 * randn(16), "bias": 0.1 * randn(16)},
       lambda x, weight, bias: F.layer_norm(x, (16,), weight, bias, eps=1e-5))
    op("gelu_tanh", {"x": torch.cat([torch.linspace(-6, 6, 49, dtype=torch.float64), randn(15) * 3])},
       lambda x: F.gelu(x, approximate="tanh"))
    logits = randn(4, 9)
    logits[3] = logits[3] * 10 + 1000
    op("softmax", {"x": logits}, lambda x: x.softmax(dim=-1))

    q, k, v = randn(2, 2, 5, 4), randn(2, 2, 5, 4), randn(2, 2, 5, 4)
    op("attention_causal", {"q": q, "k": k, "v": v}, lambda q, k, v: attention(q, k, v, causal=True))
    padding = torch.zeros(2, 5, dtype=torch.bool)
    padding[1, 3:] = True
    op("attention_padded", {"q": q, "k": k, "v": v, "key_padding_mask": padding.to(torch.uint8)},
       lambda q, k, v, key_padding_mask: attention(q, k, v, causal=False, key_padding=key_padding_mask.bool()))

    pool_mask = torch.zeros(3, 6, dtype=torch.uint8)
    pool_mask[0, 4:] = 1
    pool_mask[2, 1:] = 1
    op("mean_pool", {"x": randn(3, 6, 4), "mask": pool_mask},
       lambda x, mask: (x * (1 - mask.double())[:, :, None]).sum(1) / (1 - mask.double()).sum(1, keepdim=True))

    op("cross_entropy", {"logits": randn(6, 5) * 2, "labels": torch.randint(0, 5, (6,), generator=g)},
       lambda logits, labels: F.cross_entropy(logits, labels), outputs_are_loss=True)

    def kl(student, teacher, temperature):
        t = float(temperature)
        return t * t * F.kl_div(F.log_softmax(student / t, -1), F.log_softmax(teacher / t, -1),
                                reduction="batchmean", log_target=True)
    op("kl_temperature", {"student": randn(6, 5) * 2, "teacher": randn(6, 5) * 2,
                          "temperature": torch.tensor(KL_TEMPERATURE, dtype=torch.float64)},
       kl, outputs_are_loss=True, constants=("temperature",))

    def infonce(query, key, temperature):
        similarity = F.normalize(query, dim=-1) @ F.normalize(key, dim=-1).T / float(temperature)
        return F.cross_entropy(similarity, torch.arange(query.shape[0]))
    op("infonce", {"query": randn(6, 16), "key": randn(6, 16),
                   "temperature": torch.tensor(INFONCE_TEMPERATURE, dtype=torch.float64)},
       infonce, outputs_are_loss=True, constants=("temperature",))

    targets = torch.tensor([0, 1, 1, 0, 1, 0, 0.25, 0.9, 1, 0], dtype=torch.float64)
    op("bce_weighted", {"logits": randn(10) * 3, "targets": targets,
                        "weight": torch.rand(10, generator=g, dtype=torch.float64) * 2 + 0.1},
       lambda logits, targets, weight: F.binary_cross_entropy_with_logits(logits, targets, weight=weight),
       outputs_are_loss=True, constants=("targets", "weight"))

    assert all(math.isfinite(float(t.double().abs().max())) for t in out.values() if t.numel())
    metadata = {"formulas": json.dumps(FORMULAS),
                "conventions": ("<op>.grad.<input> = d sum(<op>.out * <op>.grad_out) / d <input>; "
                                "for losses (no grad_out) the gradient of the scalar loss"),
                "generator": f"tools/golden/make_transformer_golden.py (op_goldens.py) seed {seed}, "
                             f"torch {torch.__version__}, float64 compute, F32 storage"}
    return out, metadata

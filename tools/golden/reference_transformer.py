# The reference transformer of briefs/reference-model.md in PyTorch, shared by the golden-file generator
# and the PyTorch side of the engine benchmarks, with parameter names exactly as Lodestar's engine uses.
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class TransformerConfig:
    vocab_size: int = 64     # V: token ids are in [0, V)
    d_model: int = 32        # C: channels
    n_heads: int = 4         # H: attention heads, head dim C/H
    d_ff: int = 64           # F: MLP hidden width
    n_layers: int = 2        # L: pre-norm blocks
    max_len: int = 16        # Tmax: rows of the learned position table
    num_classes: int = 5     # NumClasses: width of the classification head
    causal: bool = False     # attention mask: causal (j <= i) or bidirectional


class Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.n_heads = config.n_heads
        self.causal = config.causal
        # qkv.weight rows [0,C)=q, [C,2C)=k, [2C,3C)=v; head h uses columns h*D..(h+1)*D of each.
        self.qkv = nn.Linear(config.d_model, 3 * config.d_model)
        self.proj = nn.Linear(config.d_model, config.d_model)

    def forward(self, x, key_padding):
        # x is (B,T,C); key_padding is (B,T) bool, True where the key is padding (PyTorch's convention)
        B, T, C = x.shape
        H, D = self.n_heads, C // self.n_heads
        q, k, v = self.qkv(x).split(C, dim=2)
        q, k, v = (t.view(B, T, H, D).transpose(1, 2) for t in (q, k, v))   # (B,H,T,D)
        y = attention(q, k, v, self.causal, key_padding)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


def attention(q, k, v, causal, key_padding=None):
    """softmax(q k^T / sqrt(D) + mask) v; q, k, v are (B,H,T,D); key_padding (B,T) bool or None."""
    T, D = q.shape[-2], q.shape[-1]
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(D)     # (B,H,T,T)
    mask = torch.zeros(T, T, dtype=torch.bool, device=q.device)
    if causal:
        mask = torch.ones(T, T, dtype=torch.bool, device=q.device).triu(1)
    if key_padding is not None:
        mask = mask | key_padding[:, None, None, :]
    scores = scores.masked_fill(mask, float("-inf"))
    return scores.softmax(dim=-1) @ v


class Mlp(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.fc1 = nn.Linear(config.d_model, config.d_ff)
        self.fc2 = nn.Linear(config.d_ff, config.d_model)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.ln1 = nn.LayerNorm(config.d_model, eps=1e-5)
        self.attn = Attention(config)
        self.ln2 = nn.LayerNorm(config.d_model, eps=1e-5)
        self.mlp = Mlp(config)

    def forward(self, x, key_padding):
        x = x + self.attn(self.ln1(x), key_padding)
        return x + self.mlp(self.ln2(x))


class Transformer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.tok_emb = nn.Embedding(config.vocab_size, config.d_model)
        self.pos_emb = nn.Embedding(config.max_len, config.d_model)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layers))
        self.ln_f = nn.LayerNorm(config.d_model, eps=1e-5)
        self.head = nn.Linear(config.d_model, config.num_classes)

    def forward(self, tokens, key_padding=None, activations=None):
        # tokens is (B,T) int64; key_padding (B,T) bool (True = padded) or None; returns logits (B,NumClasses)
        B, T = tokens.shape
        if key_padding is None:
            key_padding = torch.zeros(B, T, dtype=torch.bool, device=tokens.device)
        x = self.tok_emb(tokens) + self.pos_emb.weight[:T]
        record(activations, "act.embed", x)
        for i, block in enumerate(self.blocks):
            x = block(x, key_padding)
            record(activations, f"act.blocks.{i}", x)
        x = self.ln_f(x)
        record(activations, "act.ln_f", x)
        valid = (~key_padding).to(x.dtype)[:, :, None]                     # (B,T,1)
        pooled = (x * valid).sum(dim=1) / valid.sum(dim=1)                  # mean over unpadded positions
        record(activations, "act.pooled", pooled)
        return self.head(pooled)


def record(activations, name, value):
    if activations is not None:
        activations[name] = value.detach().clone()


def make_adamw(model, lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    """AdamW over every parameter in one group (weight decay on all of them, PyTorch's default)."""
    return torch.optim.AdamW(model.parameters(), lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

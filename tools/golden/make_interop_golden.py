#!/usr/bin/env python3
# Writes test/golden/interop_python.safetensors: one tensor of each dtype with values given by simple
# formulas, which Lodestar's C# tests read back and re-write, expecting identical bytes.
# Re-run:  /usr/bin/python3 tools/golden/make_interop_golden.py   (or with a path: check a C#-written file)
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_lite  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
METADATA = {"format": "pt", "note": "é ü 中 \"quoted\" \\ back\nslash\ttab"}


def interop_tensors():
    i = torch.arange(24, dtype=torch.float64)
    return {
        # f32[i] = i * 0.25 - 3, f64[i] = i / 3 (not exactly representable: exercises every mantissa bit)
        "f32": (i * 0.25 - 3).float().reshape(2, 3, 4),
        "f64": (i[:6] / 3).reshape(6),
        "f16": (i[:4] * 0.5 - 1).half(),
        "bf16": (i[:4] * 2 - 3).bfloat16(),
        "i64": (i[:5].long() - 2) * 1_000_000_007,
        "i32": i[:3].int() * -7,
        "i16": i[:2].short() - 300,
        "i8": i[:3].to(torch.int8) - 1,
        "u8": (i[:6] * 50).to(torch.uint8).reshape(2, 3),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(2.5, dtype=torch.float32),
        "a.empty": torch.zeros(0, 3),
    }


def check(path):
    tensors, metadata = safetensors_lite.load(path)
    expected = interop_tensors()
    assert metadata == METADATA, metadata
    assert sorted(tensors) == sorted(expected), sorted(tensors)
    for name, tensor in expected.items():
        assert tensors[name].dtype == tensor.dtype and torch.equal(tensors[name], tensor), name
    print(f"{path}: {len(tensors)} tensors and metadata read by the pure-Python reader match")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        check(sys.argv[1])
    else:
        out = os.path.join(ROOT, "test", "golden", "interop_python.safetensors")
        safetensors_lite.save(out, interop_tensors(), METADATA)
        check(out)

# Pure-Python safetensors reader/writer (Debian ships no python3-safetensors), following Hugging Face's
# format and serializer byte for byte, so files from the golden scripts and from Lodestar's C# writer agree.
import json
import os
import struct

import torch

# Hugging Face's dtype order of increasing alignment; the writer sorts by it, descending, then by name.
ALIGNMENT_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16",
                   "I32", "U32", "F32", "F64", "I64", "U64"]
TORCH_DTYPES = {"BOOL": torch.bool, "U8": torch.uint8, "I8": torch.int8, "I16": torch.int16,
                "F16": torch.float16, "BF16": torch.bfloat16, "I32": torch.int32, "F32": torch.float32,
                "F64": torch.float64, "I64": torch.int64}
TAGS = {dtype: tag for tag, dtype in TORCH_DTYPES.items()}
SIZES = {tag: torch.empty(0, dtype=dtype).element_size() for tag, dtype in TORCH_DTYPES.items()}
MAX_HEADER_BYTES = 100_000_000


def save(path, tensors, metadata=None):
    """Writes {name: tensor} atomically: temp file beside path, fsync, rename."""
    items = sorted(tensors.items(), key=lambda kv: (-ALIGNMENT_ORDER.index(TAGS[kv[1].dtype]), kv[0].encode()))
    header, blobs, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata, key=str.encode)}
    for name, tensor in items:
        blob = tensor.detach().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": TAGS[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    temp = f"{path}.{os.getpid()}.tmp"
    with open(temp, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, path)


def load(path):
    """Returns ({name: tensor}, metadata) after the checks Hugging Face's reader makes."""
    data = open(path, "rb").read()
    if len(data) < 8:
        raise ValueError(f"{path}: shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER_BYTES or 8 + n > len(data):
        raise ValueError(f"{path}: header length {n} is invalid for a {len(data)}-byte file")

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError(f"{path}: duplicate key in header")
        return dict(pairs)

    header = json.loads(data[8:8 + n].decode("utf-8"), object_pairs_hook=no_duplicates)
    metadata = header.pop("__metadata__", None) or {}
    if not all(isinstance(v, str) for v in metadata.values()):
        raise ValueError(f"{path}: metadata values must be strings")
    buffer, tensors, position = data[8 + n:], {}, 0
    for name, info in sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"])):
        begin, end = info["data_offsets"]
        count = 1
        for dim in info["shape"]:
            count *= dim
        if begin != position or end - begin != count * SIZES[info["dtype"]]:
            raise ValueError(f"{path}: tensor {name}: offsets {begin},{end} do not fit shape {info['shape']} at {position}")
        raw = bytearray(buffer[begin:end])
        flat = torch.frombuffer(raw, dtype=TORCH_DTYPES[info["dtype"]]) if raw else torch.empty(0, dtype=TORCH_DTYPES[info["dtype"]])
        tensors[name] = flat.reshape(info["shape"])
        position = end
    if position != len(buffer):
        raise ValueError(f"{path}: {len(buffer) - position} trailing bytes")
    return tensors, metadata

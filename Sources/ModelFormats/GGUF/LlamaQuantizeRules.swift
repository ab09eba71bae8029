import TensorCore

/// llama.cpp's choice of a type per tensor for a preset (`llama_tensor_get_type`): the "mixture"
/// that makes Q4_K_M give attn_v and ffn_down more bits in some layers, plus overrides and the
/// fallback for rows that do not fill whole blocks.
public enum LlamaQuantizeRules {
  /// One tensor's decision.
  public typealias Decision = (tensorIndex: Int, type: DType, note: String?)

  /// Target types for every tensor llama-quantize would quantize, in tensor-index order. Tensors
  /// not listed are copied unchanged (norms, biases, 1-D tensors, routers, …).
  public static func targetTypes(for model: Model, options: LlamaQuantizeOptions) -> [Decision] {
    let specs = model.tensors.map { GGUFTensorSpec(name: $0.name, shape: $0.shape, type: $0.dtype) }
    return targetTypes(tensors: specs, metadata: GGUFFormat.parsedFile(of: model)?.metadata ?? [], options: options)
  }

  /// The same from bare tensor infos and metadata (no data needed).
  public static func targetTypes(tensors: [GGUFTensorSpec], metadata: [GGUFKeyValue], options: LlamaQuantizeOptions) -> [Decision] {
    var state = LlamaQuantizeState(tensors: tensors, metadata: metadata, options: options)
    // llama.cpp walks tensors sorted by (block index, name) and its counters follow that order.
    let order = tensors.indices.sorted {
      let a = GGUFTensorNaming.blockIndex(tensors[$0].name) ?? -1, b = GGUFTensorNaming.blockIndex(tensors[$1].name) ?? -1
      return a != b ? a < b : tensors[$0].name < tensors[$1].name
    }
    var decisions: [Decision] = []
    for index in order {
      let spec = tensors[index]
      let dims = GGUFTensorNaming.effectiveDims(ne: spec.ne)
      guard spec.type.isFloatingPoint || spec.type.isBlockQuantized,
        GGUFTensorNaming.allowsQuantization(name: spec.name, dims: dims, leaveOutput: options.leaveOutputTensor)
      else { continue }
      let (type, note) = state.choose(spec)
      decisions.append((index, type, note))
    }
    return decisions.sorted { $0.tensorIndex < $1.tensorIndex }
  }

  /// `use_more_bits`: the first and last eighth of the layers and every third one in between.
  public static func useMoreBits(_ layer: Int, _ layers: Int) -> Bool {
    layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2
  }

  /// The type llama.cpp falls back to when a row is not a multiple of `type`'s block size.
  public static func fallback(for type: DType, rowLength: Int) -> DType {
    guard rowLength % type.blockSize != 0 else { return type }
    let next: DType
    switch type {
    case .iq1_s, .iq1_m, .iq2_xxs, .iq2_xs, .iq2_s, .iq3_xxs, .iq3_s, .iq4_xs: next = .iq4_nl
    case .q2_k, .q3_k, .tq1_0, .tq2_0: next = .q4_0
    case .q4_k: next = .q5_0
    case .q5_k: next = .q5_1
    case .q6_k: next = .q8_0
    default: next = .f16  // llama.cpp has no fallback here and stops; F16 always fits
    }
    return rowLength % next.blockSize == 0 ? next : .f16
  }
}

/// The category of a tensor for the mixture rules (llama.cpp's `tensor_category`).
enum LlamaTensorCategory {
  case tokenEmbedding, attentionQ, attentionV, attentionK, attentionQKV, attentionKVB, attentionOutput
  case ffnUp, ffnGate, ffnDown, output, other

  init(name: String) {
    if name == "output.weight" { self = .output; return }
    if name == "token_embd.weight" || name == "per_layer_token_embd.weight" { self = .tokenEmbedding; return }
    let table: [(String, LlamaTensorCategory)] = [
      ("attn_qkv.weight", .attentionQKV), ("attn_kv_b.weight", .attentionKVB), ("attn_v.weight", .attentionV),
      ("attn_k.weight", .attentionK), ("attn_q.weight", .attentionQ), ("attn_output.weight", .attentionOutput),
      ("ffn_up", .ffnUp), ("ffn_gate", .ffnGate), ("ffn_down", .ffnDown),
    ]
    self = table.first { name.contains($0.0) }?.1 ?? .other
  }

  var isAttentionVLike: Bool { self == .attentionV || self == .attentionQKV || self == .attentionKVB }
}

extension LlamaQuantizeRules {
  /// The encoding a writer request needs for a ggml type.
  public static func encoding(for type: DType) -> QuantEncoding {
    switch type {
    case .f32: return .float32
    case .f16: return .float16
    case .bf16: return .bfloat16
    default: return .blocks(type)
    }
  }

  /// Write requests for a preset, plus one note per tensor whose type fell back or was overridden
  /// ("blk.0.attn_q.weight: row length 384 … falling back to Q5_0") and a count of fallbacks.
  public static func plan(for model: Model, options: LlamaQuantizeOptions) -> (requests: [TensorWriteRequest], notes: [String]) {
    let decisions = targetTypes(for: model, options: options)
    let requests = decisions.map { TensorWriteRequest(tensorIndex: $0.tensorIndex, encoding: encoding(for: $0.type)) }
    var notes = decisions.compactMap { decision in decision.note.map { "\(model.tensors[decision.tensorIndex].name): \($0)" } }
    let fallbacks = decisions.filter { $0.note?.contains("falling back") == true }.count
    if fallbacks > 0 { notes.append("\(fallbacks) of \(decisions.count) tensors fell back to another type because their rows do not fill whole blocks") }
    return (requests, notes)
  }
}

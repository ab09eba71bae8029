import TensorCore

/// Model facts and running counters the mixture rules consult (llama.cpp's `quantize_state_impl`).
struct LlamaQuantizeState {
  let options: LlamaQuantizeOptions
  let overrides: [(regex: Regex<AnyRegexOutput>, type: DType)]
  let isFalcon: Bool
  let is70B: Bool
  let layerCount: Int
  let expertCount: Int
  let groupedQueryRatio: Int
  let tiedEmbeddings: Bool
  let attentionVCount: Int
  var attentionVIndex = 0
  var ffnDownIndex = 0
  var ffnGateIndex = 0
  var ffnUpIndex = 0

  init(tensors: [GGUFTensorSpec], metadata: [GGUFKeyValue], options: LlamaQuantizeOptions) {
    self.options = options
    overrides = options.tensorTypeOverrides.compactMap { entry in (try? Regex(entry.pattern)).map { ($0, entry.type) } }
    let file = GGUFFile(version: 3, metadata: metadata, tensors: [], alignment: 32, dataOffset: 0)
    let arch = file.architecture ?? ""
    isFalcon = arch == "falcon"
    let blocks = tensors.compactMap { GGUFTensorNaming.blockIndex($0.name) }
    layerCount = file.archInt("block_count") ?? ((blocks.max() ?? -1) + 1)
    expertCount = file.archInt("expert_count") ?? 0
    let heads = file.archInt("attention.head_count") ?? 0
    let kvHeads = file.archInt("attention.head_count_kv") ?? heads
    groupedQueryRatio = kvHeads > 0 ? heads / kvHeads : 1
    is70B = arch == "llama" && layerCount == 80 && heads != kvHeads
    tiedEmbeddings = !tensors.contains { $0.name == "output.weight" }
    attentionVCount = tensors.filter { LlamaTensorCategory(name: $0.name).isAttentionVLike }.count
  }

  /// `llama_tensor_get_type`: explicit types, then overrides or the mixture, then the fallback.
  mutating func choose(_ spec: GGUFTensorSpec) -> (DType, String?) {
    let category = LlamaTensorCategory(name: spec.name)
    var type = options.fileType.defaultType
    var notes: [String] = []
    if category == .tokenEmbedding, let explicit = options.tokenEmbeddingType {
      type = explicit
    } else if category == .output, let explicit = options.outputTensorType {
      type = explicit
    } else if type.isBlockQuantized {
      var manual = false
      if let match = overrides.first(where: { spec.name.contains($0.regex) }) {
        type = match.type
        manual = true
        notes.append("--tensor-type override")
      }
      if !manual && !options.pure { type = mixture(spec, category: category, start: type) }
    }
    let row = spec.ne.first ?? 1
    let fitted = LlamaQuantizeRules.fallback(for: type, rowLength: row)
    if fitted != type {
      notes.append("row length \(row) is not a multiple of \(type.rawValue)'s block size \(type.blockSize); falling back to \(fitted.rawValue)")
    }
    return (fitted, notes.isEmpty ? nil : notes.joined(separator: "; "))
  }

  /// The layer a per-layer rule looks at: the running counter, or the block index for MoE models
  /// (whose expert tensors are not in layer order).
  func layerInfo(_ counter: Int, name: String) -> (Int, Int) {
    if expertCount > 1, let block = GGUFTensorNaming.blockIndex(name) { return (block, layerCount) }
    return (counter, layerCount)
  }
}

import TensorCore

extension LlamaQuantizeState {
  /// `llama_tensor_get_type_impl`: the per-category rules of each preset.
  mutating func mixture(_ spec: GGUFTensorSpec, category: LlamaTensorCategory, start: DType) -> DType {
    let ftype = options.fileType
    let moreBits = LlamaQuantizeRules.useMoreBits
    let veryLow: Set<LlamaFileType> = [.iq2_xxs, .iq2_xs, .iq1_s, .iq2_s, .iq2_m, .iq1_m]
    var type = start

    if category == .output || (tiedEmbeddings && category == .tokenEmbedding) {
      if let explicit = options.outputTensorType { return explicit }
      let row = spec.ne.first ?? 1
      if ftype == .mxfp4_moe { return .q8_0 }
      if isFalcon || row % type.blockSize != 0 { return .q8_0 }
      if [.iq2_xxs, .iq2_xs, .iq3_xxs, .iq1_s, .iq2_s, .iq2_m, .iq1_m].contains(ftype) { return .q5_k }
      return type == .q8_0 ? type : .q6_k
    }
    if ftype == .mxfp4_moe {
      return spec.ne.count > 2 && spec.ne[2] > 1 ? .mxfp4 : .q8_0
    }
    if category == .tokenEmbedding {
      if let explicit = options.tokenEmbeddingType { return explicit }
      switch ftype {
      case .iq2_xxs, .iq2_xs, .iq1_s, .iq1_m: return .q2_k
      case .iq2_s, .iq2_m, .iq3_xxs: return .iq3_s
      case .tq1_0, .tq2_0: return .q4_k
      default: return type
      }
    }
    if veryLow.contains(ftype) {
      let twoS = ftype == .iq2_s || ftype == .iq2_m
      if category.isAttentionVLike {
        type = groupedQueryRatio >= 4 || expertCount >= 4 ? .q4_k : (twoS ? .iq3_s : .q2_k)
        attentionVIndex += 1
      } else if expertCount == 8 && category == .attentionK {
        type = .q4_k
      } else if category == .ffnDown {
        if ffnDownIndex < layerCount / 8 { type = twoS ? .iq3_s : .q2_k }
        ffnDownIndex += 1
      } else if category == .attentionOutput {
        if expertCount == 8 {
          type = .q5_k
        } else if ftype == .iq1_s || ftype == .iq1_m {
          type = .iq2_xxs
        } else if twoS {
          type = .iq3_s
        }
      }
      return type
    }
    switch category {
    case .attentionV, .attentionQKV, .attentionKVB:
      let i = attentionVIndex, n = attentionVCount
      switch ftype {
      case .q2_k: type = groupedQueryRatio >= 4 ? .q4_k : .q3_k
      case .q2_k_s where groupedQueryRatio >= 4: type = .q4_k
      case .iq3_xxs: type = groupedQueryRatio >= 4 ? .q4_k : (options.hasImportanceMatrix ? .iq3_xxs : .iq3_s)
      case .iq3_xs where groupedQueryRatio >= 4, .iq3_s where groupedQueryRatio >= 4: type = .q4_k
      case .iq3_m: type = .q4_k
      case .q3_k_m: type = i < 2 ? .q5_k : .q4_k
      case .q3_k_l: type = .q5_k
      case .iq4_nl where groupedQueryRatio >= 4, .iq4_xs where groupedQueryRatio >= 4: type = .q5_k
      case .q4_k_m where moreBits(i, n), .q5_k_m where moreBits(i, n): type = .q6_k
      case .q4_k_s where i < 4: type = .q5_k
      default: break
      }
      if is70B && (type == .q3_k || type == .q4_k) { type = .q5_k }
      if expertCount == 8 { type = .q8_0 }
      attentionVIndex += 1
    case .attentionK:
      if expertCount == 8 { type = .q8_0 } else if ftype == .iq3_xs { type = .iq3_xxs } else if ftype == .iq3_xxs { type = .iq2_s }
    case .attentionQ:
      if ftype == .iq3_xs { type = .iq3_xxs } else if ftype == .iq3_xxs { type = .iq2_s }
    case .ffnDown:
      type = ffnDownRule(spec, start: type)
      ffnDownIndex += 1
    case .attentionOutput:
      type = attentionOutputRule(type)
    case .ffnGate, .ffnUp:
      let counter = category == .ffnGate ? ffnGateIndex : ffnUpIndex
      let (i, n) = layerInfo(counter, name: spec.name)
      if ftype == .iq3_xs && i >= n / 8 && i < 7 * n / 8 { type = .iq3_xxs }
      if category == .ffnGate { ffnGateIndex += 1 } else { ffnUpIndex += 1 }
    default:
      break
    }
    return type
  }

  func ffnDownRule(_ spec: GGUFTensorSpec, start: DType) -> DType {
    let ftype = options.fileType
    let moreBits = LlamaQuantizeRules.useMoreBits
    let (i, n) = layerInfo(ffnDownIndex, name: spec.name)
    switch ftype {
    case .q2_k: return .q3_k
    case .q2_k_s: return i < n / 8 ? .q4_k : start
    case .iq3_xxs where !options.hasImportanceMatrix: return i < n / 8 ? .q4_k : .q3_k
    case .q3_k_m: return i < n / 16 ? .q5_k : (!isFalcon || moreBits(i, n) ? .q4_k : .q3_k)
    case .iq3_m where i < n / 8 || (expertCount == 8 && moreBits(i, n)): return .q4_k
    case .q3_k_l: return isFalcon ? .q4_k : .q5_k
    case .q4_k_m:
      if isFalcon { return i < n / 16 ? .q6_k : (moreBits(i, n) ? .q5_k : .q4_k) }
      return moreBits(i, n) ? .q6_k : start
    case .iq4_nl where i < n / 8 && !options.hasImportanceMatrix, .iq4_xs where i < n / 8 && !options.hasImportanceMatrix:
      return .q5_k
    case .q5_k_m where moreBits(i, n): return .q6_k
    case .q4_k_s where !isFalcon && i < n / 8: return .q5_k
    case .q4_0 where options.hasImportanceMatrix && i < n / 8: return .q4_1
    case .q5_0 where options.hasImportanceMatrix && i < n / 8: return .q5_1
    default: return start
    }
  }

  func attentionOutputRule(_ start: DType) -> DType {
    let ftype = options.fileType
    if isFalcon { return ftype == .q3_k_l ? .q4_k : start }
    if expertCount == 8 {
      let bumped: Set<LlamaFileType> = [.q2_k, .iq3_xs, .iq3_xxs, .q3_k_s, .q3_k_m, .iq4_nl, .q4_k_s, .q4_k_m, .iq3_s, .iq3_m, .iq4_xs]
      return bumped.contains(ftype) ? .q5_k : start
    }
    switch ftype {
    case .q2_k: return .q3_k
    case .iq3_xxs: return .iq3_s
    case .q3_k_m, .iq3_m: return .q4_k
    case .q3_k_l: return .q5_k
    default: return start
    }
  }
}

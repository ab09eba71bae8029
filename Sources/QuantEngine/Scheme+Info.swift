import TensorCore

extension Scheme {
  /// Broad kinds of scheme, used to pick error thresholds and group the scheme list.
  public enum Family: String, Sendable, Hashable, CaseIterable {
    /// f32, f16, bf16 casts.
    case float
    /// int8 / int4 linear schemes with float32 scales.
    case linear
    /// ggml's 32-element legacy blocks (q8_0, q4_0, q4_1, q5_0, q5_1).
    case ggmlLegacy
    /// ggml's 256-element K-quant super-blocks.
    case kQuant
  }

  public var family: Family {
    switch self {
    case .f32, .f16, .bf16: return .float
    case .int8, .int8Tensor, .int8Asym, .int4, .int4G32, .int4G64, .int4G128: return .linear
    case .q8_0, .q4_0, .q4_1, .q5_0, .q5_1: return .ggmlLegacy
    case .q2_k, .q3_k, .q4_k, .q5_k, .q6_k: return .kQuant
    }
  }

  /// Bits per weight of the payload plus in-block scales. Per-channel and per-tensor scales are
  /// not counted (they are amortised over a whole row); group scales are (32 bits per group).
  public var nominalBitsPerWeight: Double {
    if let block = blockType { return block.bitsPerElement }
    switch self {
    case .f32: return 32
    case .f16, .bf16: return 16
    case .int8, .int8Tensor, .int8Asym: return 8
    case .int4: return 4
    case .int4G32: return 4 + 32.0 / 32
    case .int4G64: return 4 + 32.0 / 64
    case .int4G128: return 4 + 32.0 / 128
    default: return 32
    }
  }

  /// The name users type (same as `rawValue`).
  public var displayName: String { rawValue }

  /// One line saying what the scheme does.
  public var summary: String {
    switch self {
    case .f32: return "keep float32"
    case .f16: return "IEEE half precision, round to nearest even"
    case .bf16: return "bfloat16, round to nearest even"
    case .int8: return "symmetric int8 [-127,127], one scale per output channel"
    case .int8Tensor: return "symmetric int8 [-127,127], one scale per tensor"
    case .int8Asym: return "asymmetric int8 [-128,127] with zero point, per tensor"
    case .int4: return "symmetric int4 [-7,7], one scale per output channel"
    case .int4G32: return "symmetric int4 [-7,7], one scale per 32 inputs"
    case .int4G64: return "symmetric int4 [-7,7], one scale per 64 inputs"
    case .int4G128: return "symmetric int4 [-7,7], one scale per 128 inputs"
    case .q8_0: return "ggml 8-bit blocks of 32, fp16 scale (8.5 bpw)"
    case .q4_0: return "ggml 4-bit blocks of 32, fp16 scale (4.5 bpw)"
    case .q4_1: return "ggml 4-bit blocks of 32, fp16 scale and min (5.0 bpw)"
    case .q5_0: return "ggml 5-bit blocks of 32, fp16 scale (5.5 bpw)"
    case .q5_1: return "ggml 5-bit blocks of 32, fp16 scale and min (6.0 bpw)"
    case .q2_k: return "ggml 2-bit K-quant, 256-element super-blocks (2.625 bpw)"
    case .q3_k: return "ggml 3-bit K-quant, 256-element super-blocks (3.4375 bpw)"
    case .q4_k: return "ggml 4-bit K-quant, 256-element super-blocks (4.5 bpw)"
    case .q5_k: return "ggml 5-bit K-quant, 256-element super-blocks (5.5 bpw)"
    case .q6_k: return "ggml 6-bit K-quant, 256-element super-blocks (6.5625 bpw)"
    }
  }
}

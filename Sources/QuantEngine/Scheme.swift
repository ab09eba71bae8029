import TensorCore

/// A quantization scheme, named as users type it (architecture.md's scheme table).
public enum Scheme: String, CaseIterable, Hashable, Sendable, Codable {
  case f32, f16, bf16
  case int8, int8Tensor = "int8-tensor", int8Asym = "int8-asym"
  case int4, int4G32 = "int4-g32", int4G64 = "int4-g64", int4G128 = "int4-g128"
  case q8_0, q4_0, q4_1, q5_0, q5_1
  case q2_k, q3_k, q4_k, q5_k, q6_k

  /// The ggml block type behind a ggml scheme.
  public var blockType: DType? {
    switch self {
    case .q8_0: return .q8_0
    case .q4_0: return .q4_0
    case .q4_1: return .q4_1
    case .q5_0: return .q5_0
    case .q5_1: return .q5_1
    case .q2_k: return .q2_k
    case .q3_k: return .q3_k
    case .q4_k: return .q4_k
    case .q5_k: return .q5_k
    case .q6_k: return .q6_k
    default: return nil
    }
  }

  /// The format-neutral encoding this scheme produces for a tensor whose output-channel axis is
  /// `channelAxis`.
  public func encoding(channelAxis: Int) -> QuantEncoding {
    switch self {
    case .f32: return .float32
    case .f16: return .float16
    case .bf16: return .bfloat16
    case .int8:
      return .linear(.init(bits: 8, qmin: -127, qmax: 127, granularity: .channel(axis: channelAxis), asymmetric: false))
    case .int8Tensor:
      return .linear(.init(bits: 8, qmin: -127, qmax: 127, granularity: .tensor, asymmetric: false))
    case .int8Asym:
      return .linear(.init(bits: 8, qmin: -128, qmax: 127, granularity: .tensor, asymmetric: true))
    case .int4:
      return .linear(.init(bits: 4, qmin: -7, qmax: 7, granularity: .channel(axis: channelAxis), asymmetric: false))
    case .int4G32: return .linear(.init(bits: 4, qmin: -7, qmax: 7, granularity: .group(size: 32), asymmetric: false))
    case .int4G64: return .linear(.init(bits: 4, qmin: -7, qmax: 7, granularity: .group(size: 64), asymmetric: false))
    case .int4G128: return .linear(.init(bits: 4, qmin: -7, qmax: 7, granularity: .group(size: 128), asymmetric: false))
    case .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q2_k, .q3_k, .q4_k, .q5_k, .q6_k:
      return .blocks(blockType ?? .q8_0)
    }
  }

  /// True for the ggml block types.
  public var isGGML: Bool { blockType != nil }

  /// True for f32/f16/bf16 casts.
  public var isFloat: Bool { self == .f32 || self == .f16 || self == .bf16 }
}

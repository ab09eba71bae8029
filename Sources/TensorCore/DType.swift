/// A tensor's stored element type, spelled as upstream spells it (safetensors and ggml names).
///
/// Plain types decode element by element; block types (the ggml quantized types) store elements in
/// fixed-size blocks and are decoded by the quantization engine.
public enum DType: String, CaseIterable, Hashable, Sendable, Codable {
  case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
  case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
  case u64 = "U64", u32 = "U32", u16 = "U16", u8 = "U8"
  case bool = "BOOL"
  /// Packed signed 4-bit integers, two per byte, low nibble first (TFLite INT4).
  case i4 = "I4"
  case f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2", f8e8m0 = "F8_E8M0"
  case f8e4m3fnuz = "F8_E4M3FNUZ", f8e5m2fnuz = "F8_E5M2FNUZ"
  case c64 = "C64"
  // ggml block types.
  case q4_0 = "Q4_0", q4_1 = "Q4_1", q5_0 = "Q5_0", q5_1 = "Q5_1", q8_0 = "Q8_0", q8_1 = "Q8_1"
  case q2_k = "Q2_K", q3_k = "Q3_K", q4_k = "Q4_K", q5_k = "Q5_K", q6_k = "Q6_K", q8_k = "Q8_K"
  case iq2_xxs = "IQ2_XXS", iq2_xs = "IQ2_XS", iq3_xxs = "IQ3_XXS", iq1_s = "IQ1_S", iq4_nl = "IQ4_NL"
  case iq3_s = "IQ3_S", iq2_s = "IQ2_S", iq4_xs = "IQ4_XS", iq1_m = "IQ1_M"
  case tq1_0 = "TQ1_0", tq2_0 = "TQ2_0", mxfp4 = "MXFP4", nvfp4 = "NVFP4"

  /// Elements per storage block (1 for plain types).
  public var blockSize: Int {
    switch self {
    case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .iq4_nl, .mxfp4: return 32
    case .q2_k, .q3_k, .q4_k, .q5_k, .q6_k, .q8_k, .iq2_xxs, .iq2_xs, .iq3_xxs, .iq1_s, .iq3_s, .iq2_s,
      .iq4_xs, .iq1_m, .tq1_0, .tq2_0:
      return 256
    case .nvfp4: return 64
    case .i4: return 2
    default: return 1
    }
  }

  /// Bytes per storage block.
  public var bytesPerBlock: Int {
    switch self {
    case .f64, .i64, .u64, .c64: return 8
    case .f32, .i32, .u32: return 4
    case .f16, .bf16, .i16, .u16: return 2
    case .i8, .u8, .bool, .f8e4m3, .f8e5m2, .f8e8m0, .f8e4m3fnuz, .f8e5m2fnuz, .i4: return 1
    case .q4_0: return 18
    case .q4_1: return 20
    case .q5_0: return 22
    case .q5_1: return 24
    case .q8_0: return 34
    case .q8_1: return 36
    case .q2_k: return 84
    case .q3_k: return 110
    case .q4_k: return 144
    case .q5_k: return 176
    case .q6_k: return 210
    case .q8_k: return 292
    case .iq2_xxs: return 66
    case .iq2_xs: return 74
    case .iq3_xxs: return 98
    case .iq1_s: return 50
    case .iq4_nl: return 18
    case .iq3_s: return 110
    case .iq2_s: return 82
    case .iq4_xs: return 136
    case .iq1_m: return 56
    case .tq1_0: return 54
    case .tq2_0: return 66
    case .mxfp4: return 17
    case .nvfp4: return 36
    }
  }

  /// True for ggml block-quantized types.
  public var isBlockQuantized: Bool { blockSize > 1 && self != .i4 }

  public var isFloatingPoint: Bool {
    switch self {
    case .f64, .f32, .f16, .bf16: return true
    default: return false
    }
  }

  /// True when ``FloatDecoding`` can turn the bytes into float32 without quantization parameters.
  public var isPlainDecodable: Bool {
    switch self {
    case .f64, .f32, .f16, .bf16, .i64, .i32, .i16, .i8, .u64, .u32, .u16, .u8, .bool, .i4: return true
    default: return false
    }
  }

  /// Bits per element as stored (block overhead included).
  public var bitsPerElement: Double { Double(bytesPerBlock * 8) / Double(blockSize) }

  /// Exact storage for `elements` elements, or nil when they do not fill whole blocks or overflow.
  public func byteCount(elements: Int) -> Int? {
    guard elements >= 0 else { return nil }
    if self == .i4 { return elements / 2 + elements % 2 }
    guard elements % blockSize == 0 else { return nil }
    let (bytes, overflow) = (elements / blockSize).multipliedReportingOverflow(by: bytesPerBlock)
    return overflow ? nil : bytes
  }
}

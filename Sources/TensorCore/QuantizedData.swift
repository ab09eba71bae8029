/// How a quantized tensor's values are laid out, independent of any file format.
///
/// The engine produces ``QuantizedData``; format writers consume it and repack it into their own
/// layout. Formats never need to know scheme names, only encodings.
public enum QuantEncoding: Hashable, Sendable {
  /// float32, little-endian.
  case float32
  /// IEEE binary16 bits, little-endian.
  case float16
  /// bfloat16 bits, little-endian.
  case bfloat16
  /// ggml blocks of the given block type (e.g. `.q4_0`), rows along the last dimension.
  case blocks(DType)
  /// Linear integer quantization: `x̂ = (q − zeroPoint) · scale`.
  case linear(LinearQuantization)
}

/// Parameters of linear integer quantization.
public struct LinearQuantization: Hashable, Sendable {
  /// Bits per value (8 or 4).
  public var bits: Int
  /// Smallest and largest stored integer (e.g. −127…127 for narrow-range int8).
  public var qmin: Int
  public var qmax: Int
  public var granularity: Granularity
  /// True when zero points are stored.
  public var asymmetric: Bool

  public init(bits: Int, qmin: Int, qmax: Int, granularity: Granularity, asymmetric: Bool) {
    self.bits = bits; self.qmin = qmin; self.qmax = qmax
    self.granularity = granularity; self.asymmetric = asymmetric
  }

  /// Which elements share a scale.
  public enum Granularity: Hashable, Sendable {
    /// One scale for the whole tensor.
    case tensor
    /// One scale per index along `axis` (the output-channel axis).
    case channel(axis: Int)
    /// One scale per `size` consecutive elements along the last axis of each row; a short last
    /// group is allowed. Scales are stored row-major as [rows, groupsPerRow].
    case group(size: Int)
  }
}

/// A quantized tensor: its encoding, shape, stored values and parameters.
public struct QuantizedData: Sendable {
  public var encoding: QuantEncoding
  /// Logical shape, row-major, as in the source tensor.
  public var shape: [Int]
  /// Stored values. float32/float16/bfloat16: little-endian elements. Blocks: ggml blocks.
  /// Linear: one signed byte per element (the integer value), row-major; writers pack sub-byte
  /// values themselves.
  public var values: [UInt8]
  /// Linear only: scales (1, per channel, or rows × groups as the granularity says).
  public var scales: [Float]
  /// Linear asymmetric only: zero points, parallel to `scales`.
  public var zeroPoints: [Int32]

  public init(encoding: QuantEncoding, shape: [Int], values: [UInt8], scales: [Float] = [], zeroPoints: [Int32] = []) {
    self.encoding = encoding; self.shape = shape; self.values = values
    self.scales = scales; self.zeroPoints = zeroPoints
  }

  public var elementCount: Int { Shape.elementCount(shape) ?? 0 }
}

/// Why the engine refused to quantize or decode a tensor.
public enum QuantError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The input holds NaN or ±Inf; quantizing it would silently poison every scale it touches.
  case nonFinite(count: Int, firstIndex: Int)
  /// A ggml block type needs every row (the last dimension) to be a whole number of blocks.
  case rowNotDivisible(rowLength: Int, blockSize: Int, scheme: String)
  /// Shape and buffer disagree, a dimension is negative, the element count overflows, or the
  /// channel axis is out of range.
  case invalidShape(String)
  /// A block type this engine cannot decode.
  case unsupportedBlockType(String)
  /// The stored byte count does not match the shape.
  case malformedData(String)
  /// An importance vector that does not fit the tensor (length, or NaN/Inf/negative weights).
  case invalidImportance(String)

  public var description: String {
    switch self {
    case .nonFinite(let count, let firstIndex):
      return "tensor has \(count) non-finite value(s) (first at element \(firstIndex)); refusing to quantize"
    case .rowNotDivisible(let rowLength, let blockSize, let scheme):
      return "row length \(rowLength) is not a multiple of the \(scheme) block size \(blockSize)"
    case .invalidShape(let message):
      return "invalid shape: \(message)"
    case .unsupportedBlockType(let name):
      return "cannot decode block type \(name)"
    case .malformedData(let message):
      return "malformed quantized data: \(message)"
    case .invalidImportance(let message):
      return "invalid importance vector: \(message)"
    }
  }
}

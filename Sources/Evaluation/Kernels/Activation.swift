import Foundation

/// Fused activations and the elementwise unary ops.
enum Activation {
  /// Applies a fused activation ("RELU", "RELU6", …) in place.
  static func apply(_ name: String, to data: inout [Float]) {
    switch name {
    case "RELU": clamp(&data, 0, .infinity)
    case "RELU6": clamp(&data, 0, 6)
    case "RELU_N1_TO_1": clamp(&data, -1, 1)
    case "TANH": map(&data) { tanhf($0) }
    case "SIGN_BIT": map(&data) { $0 < 0 ? 1 : 0 }
    default: break
    }
  }

  static func clamp(_ data: inout [Float], _ low: Float, _ high: Float) {
    data.withUnsafeMutableBufferPointer { buffer in
      for i in buffer.indices { buffer[i] = Swift.min(Swift.max(buffer[i], low), high) }
    }
  }

  static func map(_ data: inout [Float], _ f: (Float) -> Float) {
    data.withUnsafeMutableBufferPointer { buffer in
      for i in buffer.indices { buffer[i] = f(buffer[i]) }
    }
  }

  /// The function of a unary op, nil for unknown names.
  static func unary(_ name: String, alpha: Float, approximate: Bool) -> ((Float) -> Float)? {
    switch name {
    case "RELU": return { Swift.max($0, 0) }
    case "RELU6": return { Swift.min(Swift.max($0, 0), 6) }
    case "RELU_N1_TO_1": return { Swift.min(Swift.max($0, -1), 1) }
    case "LOGISTIC": return { 1 / (1 + expf(-$0)) }
    case "TANH": return { tanhf($0) }
    case "HARD_SWISH": return { $0 * Swift.min(Swift.max($0 + 3, 0), 6) / 6 }
    case "EXP": return { expf($0) }
    case "RSQRT": return { 1 / sqrtf($0) }
    case "LEAKY_RELU": return { $0 >= 0 ? $0 : alpha * $0 }
    case "GELU":
      if approximate {
        return { x in 0.5 * x * (1 + tanhf(0.7978845608 * (x + 0.044715 * x * x * x))) }
      }
      return { x in 0.5 * x * (1 + erff(x * 0.70710678118654752)) }
    default: return nil
    }
  }
}

/// How hybrid kernels see their input: quantized to int8 per row at run time, then multiplied with
/// the int8 weight in integers and rescaled. Quantizing and dequantizing the activations here and
/// multiplying in float gives the same numbers up to float rounding.
enum HybridQuantizer {
  /// Replaces each of `rows` rows of `data` by its int8 reconstruction.
  static func fakeQuantize(_ data: inout [Float], rows: Int, asymmetric: Bool) {
    guard rows > 0, data.count % rows == 0 else { return }
    let length = data.count / rows
    data.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      Parallel.forRanges(rows, minimum: max(1, 4096 / max(length, 1))) { range in
        for r in range { quantizeRow(base + r * length, length, asymmetric: asymmetric) }
      }
    }
  }

  /// LiteRT's per-row quantizers: symmetric scale = max|x| / 127; asymmetric range widened to
  /// include 0, scale = (max − min) / 255, zero point = round(−128 − min / scale) nudged into range.
  static func quantizeRow(_ row: UnsafeMutablePointer<Float>, _ count: Int, asymmetric: Bool) {
    var low: Float = 0, high: Float = 0
    for i in 0..<count {
      low = Swift.min(low, row[i]); high = Swift.max(high, row[i])
    }
    if asymmetric {
      guard high > low else { for i in 0..<count { row[i] = 0 }; return }
      let scale = (high - low) / 255
      let zeroFromMin = -128 - low / scale
      let zeroPoint = zeroFromMin.rounded(.toNearestOrAwayFromZero)
      let zp = Swift.min(Swift.max(zeroPoint, -128), 127)
      for i in 0..<count {
        let q = Swift.min(Swift.max((row[i] / scale).rounded(.toNearestOrAwayFromZero) + zp, -128), 127)
        row[i] = (q - zp) * scale
      }
    } else {
      let range = Swift.max(high, -low)
      guard range > 0 else { for i in 0..<count { row[i] = 0 }; return }
      let inverse = 127 / range
      let scale = range / 127
      for i in 0..<count {
        let q = Swift.min(Swift.max((row[i] * inverse).rounded(.toNearestOrAwayFromZero), -127), 127)
        row[i] = q * scale
      }
    }
  }
}

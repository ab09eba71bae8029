import TensorCore

/// Keras 3's own int8 weight quantization (`abs_max_quantize`), reproduced bit for bit.
///
/// We compute this here rather than taking the engine's int8 values because Keras' arithmetic
/// differs in ways that change stored bytes: the stored "scale" is the multiplier
/// `127 / (max|w| + 1e-7)` (the reciprocal of a step size, with an epsilon), values are
/// `round(w · scale)` with round-half-to-even, all in float32. Matching it exactly means a file we
/// write holds the same kernel and scales as `model.quantize("int8")` on the same model.
enum KerasInt8 {
  /// Keras' `backend.epsilon()`, as float32.
  static let epsilon: Float = 1e-7

  /// Quantizes a row-major matrix `[rows, columns]` with one scale per index of `axis`
  /// (1: per column, as Dense kernels `(in, out)`; 0: per row, as Embedding tables `(vocab, dim)`).
  /// Returns int8 values (as bytes) and the float32 multipliers.
  static func quantize(_ values: [Float], rows: Int, columns: Int, axis: Int) -> (values: [UInt8], scales: [Float]) {
    let channels = axis == 1 ? columns : rows
    var amax = [Float](repeating: 0, count: channels)
    for r in 0..<rows {
      for c in 0..<columns {
        let channel = axis == 1 ? c : r
        amax[channel] = max(amax[channel], abs(values[r * columns + c]))
      }
    }
    let scales = amax.map { Float(127) / ($0 + epsilon) }
    var out = [UInt8](repeating: 0, count: rows * columns)
    for r in 0..<rows {
      for c in 0..<columns {
        let scale = scales[axis == 1 ? c : r]
        let q = (values[r * columns + c] * scale).rounded(.toNearestOrEven)
        out[r * columns + c] = UInt8(bitPattern: Int8(min(max(q, -127), 127)))
      }
    }
    return (out, scales)
  }

  /// float32 values as little-endian bytes.
  static func bytes(_ values: [Float]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(values.count * 4)
    for value in values {
      let bits = value.bitPattern
      out += [UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF), UInt8(bits >> 24)]
    }
    return out
  }
}

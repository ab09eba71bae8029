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

  /// Quantizes a row-major kernel of `shape` with one scale per channel of `layout` (the abs-max
  /// runs over its reduced axes). Returns int8 values (as bytes) and the float32 multipliers in the
  /// order Keras stores them. bfloat16 kernels go through the same float32 arithmetic (NumPy
  /// promotes bfloat16 with Python scalars to float32); only the stored scale is then rounded.
  static func quantize(_ values: [Float], shape: [Int], layout: KerasInt8Layout) -> (values: [UInt8], scales: [Float]) {
    let channels = layout.channelAxes.reduce(1) { $0 * (shape.indices.contains($1) ? shape[$1] : 1) }
    var amax = [Float](repeating: 0, count: channels)
    forEachChannel(count: values.count, shape: shape, layout: layout) { flat, channel in
      amax[channel] = max(amax[channel], abs(values[flat]))
    }
    let scales = amax.map { Float(127) / ($0 + epsilon) }
    var out = [UInt8](repeating: 0, count: values.count)
    forEachChannel(count: values.count, shape: shape, layout: layout) { flat, channel in
      let q = (values[flat] * scales[channel]).rounded(.toNearestOrEven)
      out[flat] = UInt8(bitPattern: Int8(min(max(q, -127), 127)))
    }
    return (out, scales)
  }

  /// Calls `body` with every row-major element index and the scale it belongs to, without
  /// materialising an index table (embedding tables can hold tens of millions of elements).
  static func forEachChannel(count: Int, shape: [Int], layout: KerasInt8Layout, _ body: (Int, Int) -> Void) {
    let strides = layout.channelStrides(kernelShape: shape)
    var index = [Int](repeating: 0, count: shape.count)
    var channel = 0
    for flat in 0..<count {
      body(flat, channel)
      // Odometer step over the row-major index, keeping the channel offset in step.
      var axis = shape.count - 1
      while axis >= 0 {
        index[axis] += 1
        channel += strides[axis]
        if index[axis] < shape[axis] { break }
        channel -= strides[axis] * index[axis]
        index[axis] = 0
        axis -= 1
      }
    }
  }

  /// Quantizes a row-major matrix `[rows, columns]` with one scale per index of `axis`
  /// (1: per column, as Dense kernels `(in, out)`; 0: per row, as Embedding tables `(vocab, dim)`).
  static func quantize(_ values: [Float], rows: Int, columns: Int, axis: Int) -> (values: [UInt8], scales: [Float]) {
    let shape = [rows, columns]
    return quantize(values, shape: shape, layout: axis == 1 ? .dense(kernelShape: shape) : .embedding(tableShape: shape))
  }

  /// bfloat16 bit patterns (round to nearest even, as a float32 → bfloat16 cast does) as bytes.
  static func bfloat16Bytes(_ values: [Float]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(values.count * 2)
    for value in values {
      let bits = HalfPrecision.bfloat16Bits(from: value)
      out += [UInt8(bits & 0xFF), UInt8(bits >> 8)]
    }
    return out
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

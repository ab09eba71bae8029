import TensorCore

@testable import ModelFormats

/// A minimal min-max quantizer standing in for the engine in writer tests, so the format tests do
/// not depend on QuantEngine. It only needs to produce well-formed ``QuantizedData``.
enum SafetensorsReferenceQuantizer {
  static func decode(_ tensor: ModelTensor) -> [Float] {
    FloatDecoding.decode(tensor.dtype, from: tensor.location.bytes, count: tensor.elementCount)
  }

  static let provider: QuantizedDataProvider = { tensor, encoding in
    let x = decode(tensor)
    switch encoding {
    case .float32:
      return QuantizedData(encoding: encoding, shape: tensor.shape, values: SafetensorsFixtures.float32Bytes(x))
    case .float16:
      return QuantizedData(encoding: encoding, shape: tensor.shape, values: SafetensorsFixtures.float16Bytes(x))
    case .bfloat16:
      return QuantizedData(encoding: encoding, shape: tensor.shape, values: SafetensorsFixtures.bfloat16Bytes(x))
    case .blocks:
      throw CancelledError()
    case let .linear(linear):
      return quantize(x, shape: tensor.shape, linear: linear)
    }
  }

  /// Splits a row-major [rows, columns] matrix into scale groups: (row, column range).
  static func groups(rows: Int, columns: Int, granularity: LinearQuantization.Granularity) -> [[(Int, Range<Int>)]] {
    switch granularity {
    case .tensor: return [(0..<rows).map { ($0, 0..<columns) }]
    case .channel: return (0..<rows).map { [($0, 0..<columns)] }
    case let .group(size):
      return (0..<rows).flatMap { row in
        stride(from: 0, to: columns, by: size).map { start in [(row, start..<min(columns, start + size))] }
      }
    }
  }

  static func quantize(_ x: [Float], shape: [Int], linear: LinearQuantization) -> QuantizedData {
    let rows = shape[0], columns = shape[1]
    var values = [UInt8](repeating: 0, count: x.count)
    var scales: [Float] = [], zeroPoints: [Int32] = []
    for group in groups(rows: rows, columns: columns, granularity: linear.granularity) {
      let members = group.flatMap { row, range in range.map { row * columns + $0 } }
      let lo = min(0, members.map { x[$0] }.min() ?? 0), hi = max(0, members.map { x[$0] }.max() ?? 0)
      var scale: Float, zp: Int32 = 0
      if linear.asymmetric {
        scale = (hi - lo) / Float(linear.qmax - linear.qmin)
        if scale == 0 { scale = 1 }
        zp = Int32(max(linear.qmin, min(linear.qmax, Int((Float(linear.qmin) - lo / scale).rounded()))))
      } else {
        scale = max(abs(lo), abs(hi)) / Float(linear.qmax)
        if scale == 0 { scale = 1 }
      }
      for index in members {
        let q = max(linear.qmin, min(linear.qmax, Int((x[index] / scale).rounded()) + Int(zp)))
        values[index] = UInt8(bitPattern: Int8(q))
      }
      scales.append(scale)
      zeroPoints.append(zp)
    }
    return QuantizedData(
      encoding: .linear(linear), shape: shape, values: values, scales: scales,
      zeroPoints: linear.asymmetric ? zeroPoints : [])
  }
}

import TensorCore

extension TFLiteFormat {
  /// Checks the engine's output against the tensor and turns it into TFLite storage (INT4 is
  /// packed two per byte, element 2i in the low nibble, as LiteRT unpacks it).
  static func storedWeight(_ data: QuantizedData, tensor: ModelTensor, file: String) throws(FormatError) -> TFLiteStoredWeight {
    func fail(_ reason: String) -> FormatError { .cannotStore(file: file, tensor: tensor.name, reason: reason) }
    guard data.shape == tensor.shape || (tensor.note != nil && data.elementCount == tensor.elementCount) else {
      throw fail("quantized shape \(data.shape) differs from the tensor's \(tensor.shape)")
    }
    let count = tensor.elementCount
    switch data.encoding {
    case .float32:
      guard data.values.count == count * 4 else { throw fail("expected \(count * 4) float32 bytes, got \(data.values.count)") }
      return TFLiteStoredWeight(type: .float32, bytes: data.values)
    case .float16:
      guard data.values.count == count * 2 else { throw fail("expected \(count * 2) float16 bytes, got \(data.values.count)") }
      return TFLiteStoredWeight(type: .float16, bytes: data.values)
    case let .linear(linear):
      guard data.values.count == count else { throw fail("expected \(count) quantized values, got \(data.values.count)") }
      var axis: Int? = nil
      var groups = 1
      switch linear.granularity {
      case .tensor: break
      case let .channel(a):
        guard a >= 0, a < tensor.shape.count else { throw fail("channel axis \(a) is out of range") }
        axis = a
        groups = tensor.shape[a]
      case .group: throw fail("group-wise scales cannot be stored in TFLite")
      }
      guard data.scales.count == groups else { throw fail("expected \(groups) scales, got \(data.scales.count)") }
      guard data.zeroPoints.isEmpty || data.zeroPoints.count == groups else {
        throw fail("expected \(groups) zero points, got \(data.zeroPoints.count)")
      }
      guard data.scales.allSatisfy({ $0.isFinite }) else { throw fail("a scale is not finite") }
      let zeroPoints = data.zeroPoints.isEmpty ? [Int64](repeating: 0, count: groups) : data.zeroPoints.map(Int64.init)
      // A one-element per-channel axis is stored as per-tensor, as the converter does.
      if groups == 1 { axis = nil }
      let hybridSafe = !linear.asymmetric && linear.qmin >= -linear.qmax
      if linear.bits == 4 {
        var packed = [UInt8](repeating: 0, count: (count + 1) / 2)
        for (i, value) in data.values.enumerated() {
          let nibble = value & 0x0F
          packed[i / 2] |= i % 2 == 0 ? nibble : nibble << 4
        }
        return TFLiteStoredWeight(type: .int4, bytes: packed, scales: data.scales, zeroPoints: zeroPoints, axis: axis,
                                  fitsHybridKernels: hybridSafe)
      }
      return TFLiteStoredWeight(type: .int8, bytes: data.values, scales: data.scales, zeroPoints: zeroPoints, axis: axis,
                                fitsHybridKernels: hybridSafe)
    case .bfloat16, .blocks:
      throw fail(encodingProblem(data.encoding) ?? "encoding not supported")
    }
  }
}

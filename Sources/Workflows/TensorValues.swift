import QuantEngine
import TensorCore

/// Turns any stored tensor into float32 values: plain types, ggml blocks, and integers that carry
/// stored scales (dequantized), so statistics and errors work on what the file really holds.
public enum TensorValues {
  /// Calls `body` with the tensor's float32 values. Aligned float32 data is passed straight from the
  /// mapping without a copy; everything else is decoded into a temporary buffer.
  public static func withValues<R>(
    of tensor: ModelTensor, file: String, _ body: (UnsafeBufferPointer<Float>) throws(WorkflowError) -> R
  ) throws(WorkflowError) -> R {
    let count = tensor.elementCount
    let bytes = tensor.location.bytes
    if tensor.dtype == .f32, tensor.storedQuantization == nil, let base = bytes.baseAddress,
      Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0, bytes.count >= count * 4
    {
      return try body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: Float.self), count: count))
    }
    let values = try decode(tensor, file: file)
    // The decoded copy is all `body` needs: drop the source's pages now rather than after `body`,
    // so a huge tensor is resident once (as float32), not twice.
    tensor.location.file.releasePages(offset: tensor.location.offset, count: tensor.location.byteCount)
    return try values.withUnsafeBufferPointer { buffer throws(WorkflowError) in try body(buffer) }
  }

  /// Decodes the tensor into a new array.
  public static func decode(_ tensor: ModelTensor, file: String) throws(WorkflowError) -> [Float] {
    let count = tensor.elementCount
    let bytes = tensor.location.bytes
    if tensor.dtype.isBlockQuantized {
      var output = [Float](repeating: 0, count: count)
      do {
        try output.withUnsafeMutableBufferPointer { buffer throws(QuantError) in
          try Quantizer.dequantizeBlocks(tensor.dtype, from: bytes, count: count, into: buffer)
        }
      } catch {
        throw .undecodable(file: file, tensor: tensor.name, reason: error.description)
      }
      return output
    }
    guard tensor.dtype.isPlainDecodable else {
      throw .undecodable(file: file, tensor: tensor.name, reason: "\(tensor.dtype.rawValue) values are listed but not decoded")
    }
    guard let needed = tensor.dtype.byteCount(elements: count), bytes.count >= needed else {
      throw .undecodable(file: file, tensor: tensor.name, reason: "\(bytes.count) bytes cannot hold \(count) \(tensor.dtype.rawValue) values")
    }
    var values = FloatDecoding.decode(tensor.dtype, from: bytes, count: count)
    if let stored = tensor.storedQuantization {
      try applyStoredQuantization(stored, to: &values, shape: tensor.shape, tensor: tensor.name, file: file)
    }
    return values
  }

  /// x̂ = (q − zeroPoint) · scale, with scales along the stored axis.
  static func applyStoredQuantization(
    _ stored: StoredQuantization, to values: inout [Float], shape: [Int], tensor: String, file: String
  ) throws(WorkflowError) {
    guard !stored.scales.isEmpty else { return }
    let zeroPoint: (Int) -> Float = { i in
      stored.zeroPoints.isEmpty ? 0 : Float(stored.zeroPoints[min(i, stored.zeroPoints.count - 1)])
    }
    guard let axis = stored.axis, stored.scales.count > 1 else {
      let scale = stored.scales[0], zp = zeroPoint(0)
      for i in values.indices { values[i] = (values[i] - zp) * scale }
      return
    }
    guard axis >= 0, axis < shape.count, shape[axis] == stored.scales.count else {
      throw .undecodable(
        file: file, tensor: tensor,
        reason: "\(stored.scales.count) scales do not match dimension \(axis) of shape \(Shape.describe(shape))")
    }
    let stride = Shape.strides(shape)[axis]
    let channels = shape[axis]
    for i in values.indices {
      let channel = (i / stride) % channels
      values[i] = (values[i] - zeroPoint(channel)) * stored.scales[channel]
    }
  }
}

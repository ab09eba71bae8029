/// Decodes plain (non-block) element types into float32.
public enum FloatDecoding {
  /// Decodes `count` elements of `dtype` from `bytes` into `output`.
  ///
  /// - Precondition: `dtype.isPlainDecodable`, `output.count >= count`, and `bytes` holds at least
  ///   `dtype.byteCount(elements: count)` bytes. Callers validate sizes against the file first.
  public static func decode(
    _ dtype: DType, from bytes: UnsafeRawBufferPointer, count: Int,
    into output: UnsafeMutableBufferPointer<Float>
  ) {
    precondition(output.count >= count)
    precondition(bytes.count >= (dtype.byteCount(elements: count) ?? Int.max))
    guard count > 0, let src = bytes.baseAddress, let dst = output.baseAddress else { return }
    switch dtype {
    case .f32:
      if Int(bitPattern: src) % 4 == 0 {
        dst.update(from: src.assumingMemoryBound(to: Float.self), count: count)
      } else {
        for i in 0..<count { dst[i] = src.loadUnaligned(fromByteOffset: i * 4, as: Float.self) }
      }
    case .f64:
      for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: i * 8, as: Double.self)) }
    case .f16:
      if HardwareHalf.isAvailable { HardwareHalf.decode(src, count: count, into: dst); return }
      for i in 0..<count {
        dst[i] = HalfPrecision.float(fromHalfBits: src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
      }
    case .bf16:
      for i in 0..<count {
        dst[i] = HalfPrecision.float(fromBFloat16Bits: src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
      }
    case .i64: for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)) }
    case .u64: for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) }
    case .i32: for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)) }
    case .u32: for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)) }
    case .i16: for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: i * 2, as: Int16.self)) }
    case .u16: for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) }
    case .i8: for i in 0..<count { dst[i] = Float(src.load(fromByteOffset: i, as: Int8.self)) }
    case .u8, .bool: for i in 0..<count { dst[i] = Float(src.load(fromByteOffset: i, as: UInt8.self)) }
    case .i4:
      for i in 0..<count {
        let byte = src.load(fromByteOffset: i / 2, as: UInt8.self)
        let nibble = i % 2 == 0 ? byte & 0x0F : byte >> 4
        dst[i] = Float(Int8(bitPattern: nibble << 4) >> 4)  // sign-extend the nibble
      }
    default:
      preconditionFailure("\(dtype.rawValue) is not a plain type")
    }
  }

  /// Convenience: decodes into a new array.
  public static func decode(_ dtype: DType, from bytes: UnsafeRawBufferPointer, count: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      decode(dtype, from: bytes, count: count, into: buffer)
      initialized = count
    }
  }
}

import TensorCore

/// f32/f16/bf16 storage: little-endian element bytes, round to nearest even.
enum FloatCast {
  static func bytesPerElement(_ scheme: Scheme) -> Int { scheme == .f32 ? 4 : 2 }

  /// Stored bytes for finite input (the caller has refused NaN/Inf).
  static func encode(_ x: UnsafeBufferPointer<Float>, scheme: Scheme) -> [UInt8] {
    let width = bytesPerElement(scheme)
    var out = [UInt8](repeating: 0, count: x.count * width)
    out.withUnsafeMutableBufferPointer { o in
      guard let p = o.baseAddress else { return }
      guard let source = x.baseAddress else { return }
      if scheme != .f32 {
        FloatCastFast.encode(source, count: x.count, bfloat: scheme == .bf16, into: p)
        return
      }
      #if _endian(little)
        UnsafeMutableRawPointer(p).copyMemory(from: source, byteCount: 4 * x.count)
      #else
        for i in 0..<x.count {
          let bits = x[i].bitPattern
          for k in 0..<4 { p[4 * i + k] = UInt8(truncatingIfNeeded: bits >> UInt32(8 * k)) }
        }
      #endif
    }
    return out
  }

  /// Stored bytes, or nil when the input holds NaN/Inf (the f16/bf16 encoders notice it while
  /// encoding, which saves a separate pass over the input).
  static func encodeChecked(_ x: UnsafeBufferPointer<Float>, scheme: Scheme) -> [UInt8]? {
    guard scheme != .f32 else { return NonFinite.error(in: x) == nil ? encode(x, scheme: scheme) : nil }
    guard let source = x.baseAddress else { return [] }
    var finite = true
    let bytes = OutputBytes.make(count: x.count * 2) { out in
      finite = FloatCastFast.encode(source, count: x.count, bfloat: scheme == .bf16, into: out)
      return true  // every element is written
    }
    return finite ? bytes : nil
  }

  /// The value a reader of the stored element gets back.
  @inline(__always)
  static func roundTrip(_ v: Float, scheme: Scheme) -> Float {
    switch scheme {
    case .f16: return HalfPrecision.float(fromHalfBits: HalfPrecision.halfBits(from: v))
    case .bf16: return HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: v))
    default: return v
    }
  }

  static func decode(_ bytes: [UInt8], encoding: QuantEncoding, into out: UnsafeMutableBufferPointer<Float>) throws(QuantError) {
    let width = encoding == .float32 ? 4 : 2
    guard let needed = Checked.multiply(out.count, width), bytes.count == needed else {
      throw .malformedData("\(bytes.count) bytes for \(out.count) elements of \(width) bytes")
    }
    for i in 0..<out.count {
      switch encoding {
      case .float32:
        var bits: UInt32 = 0
        for k in 0..<4 { bits |= UInt32(bytes[4 * i + k]) << UInt32(8 * k) }
        out[i] = Float(bitPattern: bits)
      case .bfloat16:
        out[i] = HalfPrecision.float(fromBFloat16Bits: UInt16(bytes[2 * i]) | UInt16(bytes[2 * i + 1]) << 8)
      default:
        out[i] = HalfPrecision.float(fromHalfBits: UInt16(bytes[2 * i]) | UInt16(bytes[2 * i + 1]) << 8)
      }
    }
  }
}

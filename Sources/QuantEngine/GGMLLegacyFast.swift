import TensorCore

/// SIMD quantizers for ggml's 32-element blocks. Same arithmetic as ``GGMLLegacyQuantize``
/// (tested equal, ties included); a block whose 1/d overflows (subnormal scale) goes to the
/// reference, which reproduces numpy's handling of the resulting inf/NaN.
enum GGMLLegacyFast {
  @inline(__always)
  static func load4(_ x: UnsafePointer<Float>) -> (F8, F8, F8, F8) {
    (loadF8(x, 0), loadF8(x, 8), loadF8(x, 16), loadF8(x, 24))
  }

  @inline(__always)
  static func absMax(_ v: (F8, F8, F8, F8)) -> Int32 {
    var m = magnitudeBits(v.0), n = magnitudeBits(v.1)
    let a = magnitudeBits(v.2), b = magnitudeBits(v.3)
    m.replace(with: a, where: a .> m)
    n.replace(with: b, where: b .> n)
    m.replace(with: n, where: n .> m)
    return horizontalMax(m)
  }

  /// Low bytes of eight lanes. (`SIMD8<UInt8>(truncatingIfNeeded:)` is not inlined into these
  /// kernels and the call costs more than eight lane extracts.)
  @inline(__always)
  static func storeBytes(_ v: I8x8, _ out: UnsafeMutablePointer<UInt8>) {
    for k in 0..<8 { out[k] = UInt8(truncatingIfNeeded: v[k]) }
  }

  /// floor(t) for 0 ≤ t < 2²²: round to even, step back where that went up.
  @inline(__always)
  static func floorNonNegative(_ t: F8) -> F8 {
    var r = roundEven(t)
    r.replace(with: r - 1, where: r .> t)
    return r
  }

  static func q8_0(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt8>) {
    let v = load4(x)
    let amax = Float(bitPattern: UInt32(bitPattern: absMax(v)))
    let d = amax / 127
    let id: Float = d != 0 ? 1 / d : 0
    guard id.isFinite else { return GGMLLegacyQuantize.q8_0(x, out) }
    GGMLLegacyQuantize.storeHalf(d, out)
    let s = F8(repeating: id)
    storeBytes(integerLanes(roundHalfAway(v.0 * s)), out + 2)
    storeBytes(integerLanes(roundHalfAway(v.1 * s)), out + 10)
    storeBytes(integerLanes(roundHalfAway(v.2 * s)), out + 18)
    storeBytes(integerLanes(roundHalfAway(v.3 * s)), out + 26)
  }

  /// Bit 4 of each of 32 levels as a little-endian u32.
  @inline(__always)
  static func fifthBits(_ q: (I8x8, I8x8, I8x8, I8x8)) -> UInt32 {
    let lanes = I8x8(0, 1, 2, 3, 4, 5, 6, 7)
    @inline(__always) func byte(_ v: I8x8) -> UInt32 {
      UInt32(truncatingIfNeeded: (((v &>> 4) & 1) &<< lanes).wrappedSum())
    }
    return byte(q.0) | byte(q.1) << 8 | byte(q.2) << 16 | byte(q.3) << 24
  }

  @inline(__always)
  static func packNibbles(_ q: (I8x8, I8x8, I8x8, I8x8), _ out: UnsafeMutablePointer<UInt8>) {
    storeBytes((q.0 & 15) | ((q.2 & 15) &<< 4), out)
    storeBytes((q.1 & 15) | ((q.3 & 15) &<< 4), out + 8)
  }

  @inline(__always)
  static func pack(_ q: (I8x8, I8x8, I8x8, I8x8), _ out: UnsafeMutablePointer<UInt8>, fifthBit: Bool) {
    if fifthBit {
      let qh = fifthBits(q)
      for b in 0..<4 { out[b] = UInt8(truncatingIfNeeded: qh >> UInt32(8 * b)) }
      packNibbles(q, out + 4)
    } else {
      packNibbles(q, out)
    }
  }

  /// Q4_0 / Q5_0. Adds to `clipped` the elements whose level passed the top before clamping.
  static func symmetric(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt8>, levels: Int, clipped: inout Int) {
    let v = load4(x)
    let amaxBits = absMax(v)
    let amax = Float(bitPattern: UInt32(bitPattern: amaxBits))
    // The signed max: the first element reaching max|x|. Only when both signs reach it does
    // the order matter; then scan.
    let pos = F8(repeating: amax), neg = F8(repeating: -amax)
    let hasPositive = any((v.0 .== pos) .| (v.1 .== pos) .| (v.2 .== pos) .| (v.3 .== pos))
    let hasNegative = any((v.0 .== neg) .| (v.1 .== neg) .| (v.2 .== neg) .| (v.3 .== neg))
    var signedMax: Float = hasPositive ? amax : -amax
    if hasPositive && hasNegative {
      for j in 0..<32 where abs(x[j]) == amax { signedMax = x[j]; break }
    }
    if amax == 0 { signedMax = 0 }
    let half = Float(levels / 2)
    let d = signedMax / -half
    let id: Float = d != 0 ? 1 / d : 0
    guard id.isFinite else {
      clipped += referenceClipped(x, d: d, half: half)
      return reference(x, out) { GGMLLegacyQuantize.symmetric(x, out, levels: levels, scratch: $0) }
    }
    GGMLLegacyQuantize.storeHalf(d, out)
    let s = F8(repeating: id), offset = F8(repeating: half + 0.5), top = F8(repeating: Float(levels - 1))
    var t0 = floorNonNegative(v.0 * s + offset), t1 = floorNonNegative(v.1 * s + offset)
    var t2 = floorNonNegative(v.2 * s + offset), t3 = floorNonNegative(v.3 * s + offset)
    // Levels past the top clip; count them before clamping.
    let over = I8x8().replacing(with: 1, where: t0 .> top) &+ I8x8().replacing(with: 1, where: t1 .> top)
      &+ I8x8().replacing(with: 1, where: t2 .> top) &+ I8x8().replacing(with: 1, where: t3 .> top)
    t0.replace(with: top, where: t0 .> top); t1.replace(with: top, where: t1 .> top)
    t2.replace(with: top, where: t2 .> top); t3.replace(with: top, where: t3 .> top)
    pack((integerLanes(t0), integerLanes(t1), integerLanes(t2), integerLanes(t3)), out + 2, fifthBit: levels == 32)
    clipped += Int(over.wrappedSum())
  }

  /// Clipping count by the scalar rule, for blocks that take the reference path.
  static func referenceClipped(_ x: UnsafePointer<Float>, d: Float, half: Float) -> Int {
    let id: Float = d != 0 ? 1 / d : 0
    var count = 0
    for j in 0..<32 where (x[j] * id + (half + 0.5)).rounded(.towardZero) > 2 * half - 1 { count += 1 }
    return count
  }

  /// Q4_1 / Q5_1.
  static func affine(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt8>, levels: Int) {
    let v = load4(x)
    var lo = v.0, hi = v.0
    lo.replace(with: v.1, where: v.1 .< lo); hi.replace(with: v.1, where: v.1 .> hi)
    lo.replace(with: v.2, where: v.2 .< lo); hi.replace(with: v.2, where: v.2 .> hi)
    lo.replace(with: v.3, where: v.3 .< lo); hi.replace(with: v.3, where: v.3 .> hi)
    let minimum = horizontalMinF(lo), maximum = horizontalMaxF(hi)
    let d = (maximum - minimum) / Float(levels - 1)
    let id: Float = d != 0 ? 1 / d : 0
    guard id.isFinite else { return reference(x, out) { GGMLLegacyQuantize.affine(x, out, levels: levels, scratch: $0) } }
    GGMLLegacyQuantize.storeHalf(d, out)
    GGMLLegacyQuantize.storeHalf(minimum, out + 2)
    let s = F8(repeating: id), m = F8(repeating: minimum), top = F8(repeating: Float(levels - 1))
    let half = F8(repeating: 0.5)
    var t0 = floorNonNegative((v.0 - m) * s + half), t1 = floorNonNegative((v.1 - m) * s + half)
    var t2 = floorNonNegative((v.2 - m) * s + half), t3 = floorNonNegative((v.3 - m) * s + half)
    t0.replace(with: top, where: t0 .> top); t1.replace(with: top, where: t1 .> top)
    t2.replace(with: top, where: t2 .> top); t3.replace(with: top, where: t3 .> top)
    pack((integerLanes(t0), integerLanes(t1), integerLanes(t2), integerLanes(t3)), out + 4, fifthBit: levels == 32)
  }

  /// Runs a reference quantizer with its own scratch space (rare: subnormal scales only).
  static func reference(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt8>, _ body: (UnsafeMutablePointer<UInt8>) -> Void) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { scratch in
      if let q = scratch.baseAddress { body(q) }
    }
  }

  /// Quantizes `blocks` blocks; returns how many elements clipped (only Q4_0/Q5_0 can).
  @discardableResult
  static func quantize(_ type: DType, _ x: UnsafePointer<Float>, blocks: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
    let stride = type.bytesPerBlock
    var clipped = 0
    for b in 0..<blocks {
      let src = x + b * 32, dst = out + b * stride
      switch type {
      case .q8_0: q8_0(src, dst)
      case .q4_0: symmetric(src, dst, levels: 16, clipped: &clipped)
      case .q5_0: symmetric(src, dst, levels: 32, clipped: &clipped)
      case .q4_1: affine(src, dst, levels: 16)
      case .q5_1: affine(src, dst, levels: 32)
      default: break
      }
    }
    return clipped
  }
}

import TensorCore

/// SIMD quantizers for ggml's 32-element blocks. Same arithmetic as ``GGMLLegacyQuantize``
/// (tested equal, ties included). Non-finite inputs are only detected (see
/// ``quantizeChecked(_:_:blocks:into:)``), not quantized like the reference; blocks whose scale is not finite or whose 1/d overflows (subnormal scale) go to the
/// reference, as do the few blocks where the reference's order-dependent choices matter
/// (tied ± maxima, a zero extreme whose sign depends on position).
enum GGMLLegacyFast {
  /// Quantizes `blocks` blocks; returns how many elements clipped (only Q4_0/Q5_0 can).
  @discardableResult
  static func quantize(_ type: DType, _ x: UnsafePointer<Float>, blocks: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
    quantizeChecked(type, x, blocks: blocks, into: out).clipped
  }

  /// As ``quantize(_:_:blocks:into:)``, also telling whether every input was finite, so callers
  /// can skip a separate NaN/Inf pass: a non-finite value makes its level bits non-finite too
  /// (bit 29 set, which no finite level has), and the kernels OR those bits together; blocks on
  /// the reference path are scanned. With `finite == false` the output is meaningless.
  static func quantizeChecked(_ type: DType, _ x: UnsafePointer<Float>, blocks: Int, into out: UnsafeMutablePointer<UInt8>) -> (clipped: Int, finite: Bool) {
    var state = RunState()
    switch type {
    case .q8_0: q8_0Run(x, blocks: blocks, out, &state)
    case .q4_0: q4_0Run(x, blocks: blocks, out, &state)
    case .q5_0: q5_0Run(x, blocks: blocks, out, &state)
    case .q4_1: q4_1Run(x, blocks: blocks, out, &state)
    case .q5_1: q5_1Run(x, blocks: blocks, out, &state)
    default: break
    }
    return (state.clipped, state.finite)
  }

  /// Whether ``quantizeChecked(_:_:blocks:into:)`` handles `type`.
  static func handles(_ type: DType) -> Bool {
    switch type {
    case .q8_0, .q4_0, .q4_1, .q5_0, .q5_1: true
    default: false
    }
  }

  /// Clipping and finiteness gathered over a run.
  struct RunState {
    var clipped = 0
    var flags = I4()
    var referenceNonFinite = false

    var finite: Bool {
      let bit = flags & I4(repeating: 0x2000_0000)
      return !referenceNonFinite && bit[0] | bit[1] | bit[2] | bit[3] == 0
    }

    /// Scalar check for blocks that take the reference path.
    mutating func scan(_ x: UnsafePointer<Float>) {
      for j in 0..<32 where !x[j].isFinite { referenceNonFinite = true }
    }
  }

  // One loop per type so the level count is a constant inside each kernel.
  static func q8_0Run(_ x: UnsafePointer<Float>, blocks: Int, _ out: UnsafeMutablePointer<UInt8>, _ state: inout RunState) {
    for b in 0..<blocks { q8_0(x + b * 32, out + b * 34, &state) }
  }

  static func q4_0Run(_ x: UnsafePointer<Float>, blocks: Int, _ out: UnsafeMutablePointer<UInt8>, _ state: inout RunState) {
    symmetricRun(x, blocks: blocks, out, levels: 16, stride: 18, &state)
  }

  static func q5_0Run(_ x: UnsafePointer<Float>, blocks: Int, _ out: UnsafeMutablePointer<UInt8>, _ state: inout RunState) {
    symmetricRun(x, blocks: blocks, out, levels: 32, stride: 22, &state)
  }

  static func q4_1Run(_ x: UnsafePointer<Float>, blocks: Int, _ out: UnsafeMutablePointer<UInt8>, _ state: inout RunState) {
    affineRun(x, blocks: blocks, out, levels: 16, stride: 20, &state)
  }

  static func q5_1Run(_ x: UnsafePointer<Float>, blocks: Int, _ out: UnsafeMutablePointer<UInt8>, _ state: inout RunState) {
    affineRun(x, blocks: blocks, out, levels: 32, stride: 24, &state)
  }

  @inline(__always)
  static func q8_0(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt8>, _ state: inout RunState) {
    let amax = laneMax(magnitudeMax(x))
    let d = amax / 127
    let id: Float = d != 0 ? 1 / d : 0
    guard id.isFinite, amax.isFinite else {
      state.scan(x)
      return GGMLLegacyQuantize.q8_0(x, out)
    }
    storeHalf(d, out)
    let s = F4(repeating: id)
    var flags = I4()
    @inline(__always) func level(_ i: Int) -> I4 { roundHalfAwayBits(loadF4(x, i) * s, &flags) }
    let raw = UnsafeMutableRawPointer(out + 2)
    raw.storeBytes(of: bytes(level(0), level(4), level(8), level(12)), as: SIMD16<UInt8>.self)
    raw.storeBytes(of: bytes(level(16), level(20), level(24), level(28)), toByteOffset: 16, as: SIMD16<UInt8>.self)
    state.flags |= flags
  }

  /// Q4_0/Q5_0 over many blocks. Clipped lanes are counted in a vector and folded into an Int
  /// every 2¹⁶ blocks (at most 8 per lane per block, far from Int32 overflow).
  @inline(__always)
  static func symmetricRun(_ x: UnsafePointer<Float>, blocks: Int, _ out: UnsafeMutablePointer<UInt8>, levels: Int, stride: Int, _ state: inout RunState) {
    var first = 0
    while first < blocks {
      let last = min(blocks, first + 1 << 16)
      var over = I4()
      for b in first..<last { symmetric(x + b * 32, out + b * stride, levels: levels, over: &over, &state) }
      state.clipped += Int(over[0]) + Int(over[1]) + Int(over[2]) + Int(over[3])
      first = last
    }
  }

  /// Q4_0 / Q5_0 (levels 16 / 32). `over` counts lanes whose level passed the top; blocks
  /// handed to the reference add their count to `state.clipped`.
  @inline(__always)
  static func symmetric(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt8>, levels: Int, over: inout I4, _ state: inout RunState) {
    let (hiLanes, loLanes) = extremes(x)
    let hi = laneMax(hiLanes), lo = laneMin(loLanes)
    // The signed value of largest magnitude; the first one wins, which only matters when both
    // signs reach it (or everything is zero) — then take it from the reference.
    let half = Float(levels / 2)
    // Picked with a mask, not a branch: which sign wins is a coin flip per block and a
    // mispredicted branch cost more than the rest of the block's scalar work.
    let pickHigh: UInt32 = hi > -lo ? .max : 0
    var signedMax = Float(bitPattern: (hi.bitPattern & pickHigh) | (lo.bitPattern & ~pickHigh))
    if hi == -lo { signedMax = GGMLLegacyQuantize.signedAbsMax(x) }
    let d = signedMax / -half
    let id: Float = d != 0 ? 1 / d : 0
    guard id.isFinite, signedMax.isFinite else {
      state.clipped += referenceClipped(x, d: d, half: half)
      state.scan(x)
      return reference(x, out) { GGMLLegacyQuantize.symmetric(x, out, levels: levels, scratch: $0) }
    }
    storeHalf(d, out)
    let s = F4(repeating: id), offset = F4(repeating: half + 0.5)
    // floor(t) > levels−1 ⇔ t ≥ levels. t < levels + 1 here, so the floor fits a byte and the
    // clamp is one unsigned byte minimum per 16 levels.
    let clip = F4(repeating: Float(levels))
    var flags = I4()
    @inline(__always) func level(_ i: Int) -> I4 {
      let t = loadF4(x, i) * s + offset
      over &-= I4().replacing(with: -1, where: t .>= clip)
      return floorBits(t, &flags)
    }
    let low = capped(bytes(level(0), level(4), level(8), level(12)), levels)
    let high = capped(bytes(level(16), level(20), level(24), level(28)), levels)
    state.flags |= flags
    store(low: low, high: high, out + 2, fifthBit: levels == 32)
  }

  /// Q4_1 / Q5_1 over many blocks, two at a time: each block's scale waits on two dependent
  /// divisions, and interleaving two blocks lets one block's divisions overlap the other's work.
  @inline(__always)
  static func affineRun(_ x: UnsafePointer<Float>, blocks: Int, _ out: UnsafeMutablePointer<UInt8>, levels: Int, stride: Int, _ state: inout RunState) {
    var b = 0
    while b + 2 <= blocks {
      let first = affineScale(x + b * 32, levels: levels), second = affineScale(x + (b + 1) * 32, levels: levels)
      affine(x + b * 32, out + b * stride, levels: levels, first, &state)
      affine(x + (b + 1) * 32, out + (b + 1) * stride, levels: levels, second, &state)
      b += 2
    }
    if b < blocks { affine(x + b * 32, out + b * stride, levels: levels, affineScale(x + b * 32, levels: levels), &state) }
  }

  /// A block's minimum, d and 1/d.
  struct AffineScale {
    let minimum: Float, maximum: Float, d: Float, id: Float
  }

  @inline(__always)
  static func affineScale(_ x: UnsafePointer<Float>, levels: Int) -> AffineScale {
    let (hiLanes, loLanes) = extremes(x)
    let maximum = laneMax(hiLanes), minimum = laneMin(loLanes)
    let d = (maximum - minimum) / Float(levels - 1)
    return AffineScale(minimum: minimum, maximum: maximum, d: d, id: d != 0 ? 1 / d : 0)
  }

  /// Q4_1 / Q5_1 (levels 16 / 32) once the block's scale is known.
  @inline(__always)
  static func affine(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt8>, levels: Int, _ scale: AffineScale, _ state: inout RunState) {
    let (minimum, maximum, d, id) = (scale.minimum, scale.maximum, scale.d, scale.id)
    // A zero extreme keeps the sign the reference's scan order picks (−0 vs +0 changes the
    // stored fp16), so those blocks take the reference too.
    guard id.isFinite, d.isFinite, maximum != 0, minimum != 0 else {
      return affineReference(x, out, levels: levels, &state)
    }
    storeHalf(d, out)
    storeHalf(minimum, out + 2)
    let s = F4(repeating: id), m = F4(repeating: minimum), half = F4(repeating: 0.5)
    // 0 ≤ t < levels + 1 (x − min ≥ 0 and (max − min)·id rounds to about levels − 1), so the
    // floor fits a byte and is clamped there.
    // Flags gather in a local so they stay in a register.
    var flags = I4()
    @inline(__always) func level(_ i: Int) -> I4 {
      floorBits((loadF4(x, i) - m) * s + half, &flags)
    }
    let low = capped(bytes(level(0), level(4), level(8), level(12)), levels)
    let high = capped(bytes(level(16), level(20), level(24), level(28)), levels)
    state.flags |= flags
    store(low: low, high: high, out + 4, fifthBit: levels == 32)
  }

  /// The rare Q4_1/Q5_1 blocks the vector path hands over, kept out of the hot loop.
  @inline(never)
  static func affineReference(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt8>, levels: Int, _ state: inout RunState) {
    state.scan(x)
    reference(x, out) { GGMLLegacyQuantize.affine(x, out, levels: levels, scratch: $0) }
  }

  /// Clipping count by the scalar rule, for blocks that take the reference path.
  static func referenceClipped(_ x: UnsafePointer<Float>, d: Float, half: Float) -> Int {
    let id: Float = d != 0 ? 1 / d : 0
    var count = 0
    for j in 0..<32 where (x[j] * id + (half + 0.5)).rounded(.towardZero) > 2 * half - 1 { count += 1 }
    return count
  }

  /// Runs a reference quantizer with its own scratch space (rare blocks only).
  static func reference(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt8>, _ body: (UnsafeMutablePointer<UInt8>) -> Void) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { scratch in
      if let q = scratch.baseAddress { body(q) }
    }
  }

  /// floor(t) for 0 ≤ t < 2²²: round to even, step back where that went up (used by the
  /// statistics histogram).
  @inline(__always)
  static func floorNonNegative(_ t: F8) -> F8 {
    var r = roundEven(t)
    r.replace(with: r - 1, where: r .> t)
    return r
  }
}

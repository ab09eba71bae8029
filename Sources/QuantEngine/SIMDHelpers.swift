/// Small vector building blocks shared by the fast kernels (see docs/swift-performance.md for
/// why each one is written this way). Compare vectors with vectors: `v .< 3` (vector against a
/// scalar literal) compiles to a per-lane loop, about 40 times slower.
typealias F8 = SIMD8<Float>
typealias I8x8 = SIMD8<Int32>

/// 1.5·2²³: adding and subtracting it rounds to nearest even for |x| < 2²².
let roundingMagic: Float = 12_582_912
let roundingMagicBits: Int32 = 0x4B40_0000

@inline(__always)
func loadF8(_ base: UnsafePointer<Float>, _ index: Int) -> F8 {
  UnsafeRawPointer(base + index).loadUnaligned(as: F8.self)
}

@inline(__always)
func storeF8(_ value: F8, _ base: UnsafeMutablePointer<Float>, _ index: Int) {
  UnsafeMutableRawPointer(base + index).storeBytes(of: value, as: F8.self)
}

/// The magnitude bits of each lane (sign cleared). For non-negative floats, integer order equals
/// float order, and NaN/Inf compare ≥ 0x7F80_0000 — so one integer max finds both |x|max and
/// any non-finite value.
@inline(__always)
func magnitudeBits(_ v: F8) -> I8x8 {
  unsafeBitCast(v, to: I8x8.self) & 0x7FFF_FFFF
}

@inline(__always)
func absF8(_ v: F8) -> F8 {
  unsafeBitCast(magnitudeBits(v), to: F8.self)
}

/// Round half away from zero (C `roundf`), exact for |v| < 2²²: round to even with the magic
/// number, then bump the ties that went down.
@inline(__always)
func roundHalfAway(_ v: F8) -> F8 {
  let bits = unsafeBitCast(v, to: I8x8.self)
  let sign = bits & Int32(bitPattern: 0x8000_0000)
  let a = unsafeBitCast(bits & 0x7FFF_FFFF, to: F8.self)
  let magic = F8(repeating: roundingMagic)
  var r = (a + magic) - magic
  r.replace(with: r + 1, where: (a - r) .== F8(repeating: 0.5))
  return unsafeBitCast(unsafeBitCast(r, to: I8x8.self) | sign, to: F8.self)
}

/// Round to nearest even (ggml `nearest_int`), exact for |v| < 2²².
@inline(__always)
func roundEven(_ v: F8) -> F8 {
  let magic = F8(repeating: roundingMagic)
  return (v + magic) - magic
}

/// Integer-valued float lanes (|v| < 2²²) to Int32 without the slow per-lane conversion.
@inline(__always)
func integerLanes(_ r: F8) -> I8x8 {
  unsafeBitCast(r + F8(repeating: roundingMagic), to: I8x8.self) &- roundingMagicBits
}

@inline(__always)
func horizontalMax(_ v: I8x8) -> Int32 {
  var m = v[0]
  for lane in 1..<8 where v[lane] > m { m = v[lane] }
  return m
}

@inline(__always)
func horizontalMinF(_ v: F8) -> Float {
  var m = v[0]
  for lane in 1..<8 where v[lane] < m { m = v[lane] }
  return m
}

/// (The standard library's `SIMD.min()`/`max()` reductions are not inlined into our kernels,
/// which costs more than the reduction itself; these are.)
@inline(__always)
func horizontalMaxF(_ v: F8) -> Float {
  var m = v[0]
  for lane in 1..<8 where v[lane] > m { m = v[lane] }
  return m
}

/// Largest |x| as float bits over `count` values; ≥ 0x7F80_0000 means a NaN or Inf is present.
@inline(__always)
func absMaxBits(_ x: UnsafePointer<Float>, _ count: Int) -> Int32 {
  var m0 = I8x8(repeating: 0), m1 = I8x8(repeating: 0)
  var i = 0
  while i + 16 <= count {
    let a = magnitudeBits(loadF8(x, i)), b = magnitudeBits(loadF8(x, i + 8))
    m0.replace(with: a, where: a .> m0)
    m1.replace(with: b, where: b .> m1)
    i += 16
  }
  m0.replace(with: m1, where: m1 .> m0)
  var m = horizontalMax(m0)
  while i < count {
    let a = Int32(bitPattern: x[i].bitPattern & 0x7FFF_FFFF)
    if a > m { m = a }
    i += 1
  }
  return m
}

import Testing
@testable import TensorCore

/// F16C conversions against the reference ``HalfPrecision`` (skipped where the CPU lacks F16C).
@Suite(.enabled(if: HardwareHalf.isAvailable, "needs a CPU with F16C"))
struct HardwareHalfTests {
  /// Every binary16 pattern, NaN payloads included, at an odd offset (unaligned input).
  @Test func decodeMatchesReferenceForEveryPattern() {
    var bytes = [UInt8](repeating: 0, count: 1 + 2 * 65536 + 6)
    for h in 0..<65536 { bytes[1 + 2 * h] = UInt8(h & 0xFF); bytes[2 + 2 * h] = UInt8(h >> 8) }
    let count = 65536 + 3  // three more zero halves leave a tail shorter than a vector
    var out = [Float](repeating: 1, count: count)
    bytes.withUnsafeBytes { raw in out.withUnsafeMutableBufferPointer { o in
      guard let base = raw.baseAddress, let dst = o.baseAddress else { return }
      HardwareHalf.decode(base + 1, count: count, into: dst)
    } }
    for h in 0..<65536 {
      let expected = HalfPrecision.float(fromHalfBits: UInt16(h)).bitPattern
      #expect(out[h].bitPattern == expected, "half 0x\(String(h, radix: 16))")
    }
    #expect(out[65536...].allSatisfy { $0.bitPattern == 0 })
  }

  /// Each half value, the midpoints to its neighbours (ties) and one float ulp either side of
  /// them: every rounding decision binary16 has, both signs.
  @Test func encodeMatchesReferenceAtEveryRoundingBoundary() {
    var values: [Float] = []
    for h in 0..<0x7C00 {
      let low = HalfPrecision.float(fromHalfBits: UInt16(h))
      let high = HalfPrecision.float(fromHalfBits: UInt16(h + 1))  // 0x7C00 is +inf
      let middle = high.isFinite ? (low + high) / 2 : 65520
      for v in [low, middle, middle.nextDown, middle.nextUp] { values.append(v); values.append(-v) }
    }
    values += [.greatestFiniteMagnitude, .leastNonzeroMagnitude, 1e-30, 70000, -1e10]
    var bits = [UInt16](repeating: 0, count: values.count)
    var back = [Float](repeating: 0, count: values.count)
    let finite = values.withUnsafeBufferPointer { xs in
      bits.withUnsafeMutableBufferPointer { bs in back.withUnsafeMutableBufferPointer { ys in
        guard let x = xs.baseAddress, let b = bs.baseAddress, let y = ys.baseAddress else { return false }
        HardwareHalf.roundTrip(x, count: values.count, into: y)
        return HardwareHalf.encode(x, count: values.count, into: b)
      } }
    }
    #expect(finite)
    var mismatches = 0
    for (i, v) in values.enumerated() {
      let expected = HalfPrecision.halfBits(from: v)
      if bits[i] != expected || back[i].bitPattern != HalfPrecision.float(fromHalfBits: expected).bitPattern {
        mismatches += 1
        if mismatches < 5 { Issue.record("\(v): 0x\(String(bits[i], radix: 16)) vs 0x\(String(expected, radix: 16))") }
      }
    }
    #expect(mismatches == 0)
  }
}

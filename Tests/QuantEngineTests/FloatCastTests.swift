import Testing
import TensorCore
@testable import QuantEngine

/// The vectorised f16/bf16 rounding against TensorCore's scalar converters.
@Suite struct FloatCastTests {
  /// A sweep over finite bit patterns plus the boundaries that matter.
  static func samples() -> [Float] {
    var values: [Float] = []
    var pattern: UInt32 = 0
    while pattern < 0x7F80_0000 {
      values.append(Float(bitPattern: pattern))
      values.append(-Float(bitPattern: pattern))
      pattern &+= 40_009
    }
    let edges: [Float] = [0, -0.0, 65504, 65519.996, 65520, 65536, -65520, 6.1035156e-05, 6.1035152e-05,
      5.9604645e-08, 2.9802322e-08, 2.9802326e-08, 8.940697e-08, 1.0009766, 1.0004883, 1.0014648,
      .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, 3.3895314e38]
    values += edges
    while values.count % 8 != 3 { values.append(1.5) }  // leave a scalar tail
    return values
  }

  @Test func halfMatchesScalar() {
    let x = Self.samples()
    let data = x.withUnsafeBufferPointer { FloatCast.encode($0, scheme: .f16) }
    var y = [Float](repeating: 0, count: x.count)
    x.withUnsafeBufferPointer { xs in y.withUnsafeMutableBufferPointer { ys in
      if let xp = xs.baseAddress, let yp = ys.baseAddress { FloatCastFast.roundTrip(xp, yp, count: x.count, bfloat: false) }
    } }
    for (i, v) in x.enumerated() {
      let bits = HalfPrecision.halfBits(from: v)
      #expect(UInt16(data[2 * i]) | UInt16(data[2 * i + 1]) << 8 == bits, "\(v)")
      #expect(y[i].bitPattern == HalfPrecision.float(fromHalfBits: bits).bitPattern, "\(v)")
    }
  }

  @Test func bfloat16MatchesScalar() {
    let x = Self.samples()
    let data = x.withUnsafeBufferPointer { FloatCast.encode($0, scheme: .bf16) }
    var y = [Float](repeating: 0, count: x.count)
    x.withUnsafeBufferPointer { xs in y.withUnsafeMutableBufferPointer { ys in
      if let xp = xs.baseAddress, let yp = ys.baseAddress { FloatCastFast.roundTrip(xp, yp, count: x.count, bfloat: true) }
    } }
    for (i, v) in x.enumerated() {
      let bits = HalfPrecision.bfloat16Bits(from: v)
      #expect(UInt16(data[2 * i]) | UInt16(data[2 * i + 1]) << 8 == bits, "\(v)")
      #expect(y[i].bitPattern == HalfPrecision.float(fromBFloat16Bits: bits).bitPattern, "\(v)")
    }
  }

  @Test func halfOverflowCountsAsClipped() throws {
    let x: [Float] = [1, 70000, -1e6, 2]
    let metrics = try x.withUnsafeBufferPointer { try SchemeAnalysis.evaluate($0, shape: [4], scheme: .f16, channelAxis: 0) }
    #expect(metrics.clippedFraction == 0.5)
    #expect(metrics.maxAbsError == .infinity)
  }
}

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

  /// The portable vector path and, where the CPU has it, the F16C path.
  static let halfPaths: [Bool] = HardwareHalf.isAvailable ? [false, true] : [false]

  @Test(arguments: halfPaths) func halfMatchesScalar(hardware: Bool) {
    let x = Self.samples()
    var data = [UInt8](repeating: 0, count: 2 * x.count)
    var y = [Float](repeating: 0, count: x.count)
    var finite = false
    x.withUnsafeBufferPointer { xs in y.withUnsafeMutableBufferPointer { ys in data.withUnsafeMutableBufferPointer { ds in
      guard let xp = xs.baseAddress, let yp = ys.baseAddress, let dp = ds.baseAddress else { return }
      finite = FloatCastFast.encode(xp, count: x.count, bfloat: false, into: dp, hardware: hardware)
      FloatCastFast.roundTrip(xp, yp, count: x.count, bfloat: false, hardware: hardware)
    } } }
    #expect(finite)
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

  @Test(arguments: halfPaths) func halfEncoderNoticesNonFinite(hardware: Bool) {
    for bad: Float in [.nan, .infinity, -.infinity, .signalingNaN] {
      for position in [0, 7, 8, 16, 21] {  // vector body and scalar tail
        var x = [Float](repeating: 0.25, count: 22)
        x[position] = bad
        var out = [UInt8](repeating: 0, count: 44)
        let finite = x.withUnsafeBufferPointer { xs in out.withUnsafeMutableBufferPointer { os in
          guard let xp = xs.baseAddress, let op = os.baseAddress else { return true }
          return FloatCastFast.encode(xp, count: x.count, bfloat: false, into: op, hardware: hardware)
        } }
        #expect(!finite, "\(bad) at \(position)")
      }
    }
  }

  @Test func halfOverflowCountsAsClipped() throws {
    let x: [Float] = [1, 70000, -1e6, 2]
    let metrics = try x.withUnsafeBufferPointer { try SchemeAnalysis.evaluate($0, shape: [4], scheme: .f16, channelAxis: 0) }
    #expect(metrics.clippedFraction == 0.5)
    #expect(metrics.maxAbsError == .infinity)
  }
}

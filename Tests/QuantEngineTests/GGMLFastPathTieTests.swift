import Testing
import TensorCore
@testable import QuantEngine

/// The SIMD ggml kernels against the scalar references where rounding is decided: values on
/// and a few ulps around every level boundary, for power-of-two scales (exact ties) and other
/// scales (ties after the product rounds), mirrored ± maxima, signed zeros at the extremes, and
/// scales whose 1/d overflows. Also the inline fp16 conversion against ``HalfPrecision``.
@Suite struct GGMLFastPathTieTests {
  static let types: [DType] = [.q8_0, .q4_0, .q4_1, .q5_0, .q5_1]
  static let scales: [Float] = [1, 0.5, 3, 0.1, 7.3, 1e-3, 0x1p-20, 1e4, 2.5e-36, 1e30]

  /// `value` moved by `steps` ulps (negative: down).
  static func nudge(_ value: Float, _ steps: Int) -> Float {
    var v = value
    for _ in 0..<abs(steps) { v = steps > 0 ? v.nextUp : v.nextDown }
    return v
  }

  /// Blocks whose non-anchor elements sit on and around the level boundaries of `type`.
  static func boundaryBlocks(_ type: DType) -> [Float] {
    var values: [Float] = []
    for scale in scales {
      for sign: Float in [1, -1] {
        for offset in 0..<5 {
          var block: [Float]
          var boundaries: [Float]
          switch type {
          case .q8_0:
            let anchor = sign * 127 * scale
            let id = 1 / (abs(anchor) / 127)
            block = [anchor]
            boundaries = (-127...126).map { (Float($0) + 0.5) / id }
          case .q4_0, .q5_0:
            let half: Float = type == .q4_0 ? 8 : 16
            let anchor = sign * half * scale
            let id = 1 / (anchor / -half)
            block = [anchor]
            boundaries = (0...Int(2 * half)).map { (Float($0) - half - 0.5) / id }
          default:
            let top: Float = type == .q4_1 ? 15 : 31
            let lo = sign * scale * 0.75, hi = lo + top * scale
            let id = 1 / ((hi - lo) / top)
            block = [lo, hi]
            boundaries = (1...Int(top)).map { lo + (Float($0) - 0.5) / id }
          }
          let limit = abs(block.map { abs($0) }.max() ?? 0)
          var k = offset
          while block.count < 32 {
            let x = nudge(boundaries[k % boundaries.count], (k / boundaries.count + offset) % 5 - 2)
            let inside = type == .q4_1 || type == .q5_1 ? (x >= block[0] && x <= block[1]) : abs(x) <= limit
            block.append(inside ? x : block[0])
            k += 7
          }
          values += block
        }
      }
    }
    return values
  }

  /// Signed zeros at the extremes, mirrored maxima in both orders, overflowing ranges.
  static func specialBlocks() -> [Float] {
    var values: [Float] = []
    func block(_ body: (Int) -> Float) { values += (0..<32).map(body) }
    block { _ in 0 }
    block { _ in -0.0 }
    block { $0 % 2 == 0 ? 0 : -0.0 }
    block { $0 == 0 ? -0.0 : 0 }
    block { $0 == 31 ? -0.0 : 0 }
    block { $0 % 3 == 0 ? -Float($0 + 1) : ($0 % 3 == 1 ? 0 : -0.0) }  // max is a zero
    block { $0 % 3 == 0 ? -Float($0 + 1) : ($0 % 3 == 1 ? -0.0 : 0) }
    block { $0 % 3 == 0 ? Float($0 + 1) : ($0 % 3 == 1 ? 0 : -0.0) }  // min is a zero
    block { $0 % 3 == 0 ? Float($0 + 1) : ($0 % 3 == 1 ? -0.0 : 0) }
    block { $0 == 3 ? -5 : ($0 == 20 ? 5 : Float($0 % 7) - 3) }  // mirrored, negative first
    block { $0 == 3 ? 5 : ($0 == 20 ? -5 : Float($0 % 7) - 3) }  // mirrored, positive first
    block { $0 % 2 == 0 ? 2 : -2 }
    block { $0 % 2 == 0 ? -2 : 2 }
    block { Float($0 - 16) * 0x1p-133 }  // subnormal scale
    block { Float($0 - 16) * 0x1p-128 }
    block { $0 == 0 ? 3e38 : ($0 == 1 ? -3e38 : Float($0) * 1e37) }  // max − min overflows
    block { Float($0) * 1e37 }
    return values
  }

  static func compare(_ type: DType, _ values: [Float]) -> [Int] {
    let count = values.count / 32, stride = type.bytesPerBlock
    var fast = [UInt8](repeating: 0xAA, count: count * stride)
    var reference = [UInt8](repeating: 0x55, count: count * stride)
    values.withUnsafeBufferPointer { x in
      guard let base = x.baseAddress else { return }
      fast.withUnsafeMutableBufferPointer { if let p = $0.baseAddress { GGMLLegacyFast.quantize(type, base, blocks: count, into: p) } }
      reference.withUnsafeMutableBufferPointer { if let p = $0.baseAddress { GGMLLegacyQuantize.quantize(type, base, blocks: count, into: p) } }
    }
    return (0..<count).filter { fast[($0 * stride)..<(($0 + 1) * stride)] != reference[($0 * stride)..<(($0 + 1) * stride)] }
  }

  @Test(arguments: types)
  func boundaryValuesMatchReference(type: DType) {
    for source in Self.types {
      let values = Self.boundaryBlocks(source)
      #expect(values.count >= 32 * 100)
      let bad = Self.compare(type, values)
      #expect(bad.isEmpty, "\(type.rawValue) on \(source.rawValue) boundaries: blocks \(bad.prefix(8))")
    }
  }

  @Test(arguments: types)
  func specialBlocksMatchReference(type: DType) {
    let bad = Self.compare(type, Self.specialBlocks())
    #expect(bad.isEmpty, "\(type.rawValue): blocks \(bad)")
  }

  /// The clipped count returned by the fast path equals the scalar rule's count.
  @Test(arguments: [DType.q4_0, .q5_0])
  func clippedCountMatchesScalarRule(type: DType) {
    let values = Self.specialBlocks() + Self.boundaryBlocks(type)
    let half: Float = type == .q4_0 ? 8 : 16
    var expected = 0
    values.withUnsafeBufferPointer { x in
      guard let base = x.baseAddress else { return }
      for b in 0..<(values.count / 32) {
        let d = GGMLLegacyQuantize.signedAbsMax(base + 32 * b) / -half
        expected += GGMLLegacyFast.referenceClipped(base + 32 * b, d: d, half: half)
      }
    }
    var out = [UInt8](repeating: 0, count: values.count / 32 * type.bytesPerBlock)
    let clipped = values.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { o in
        guard let base = x.baseAddress, let p = o.baseAddress else { return -1 }
        return GGMLLegacyFast.quantize(type, base, blocks: values.count / 32, into: p)
      }
    }
    #expect(expected > 0)
    #expect(clipped == expected)
  }

  /// The inline fp16 conversion on a sweep of bit patterns plus every pattern near its range
  /// limits and near the rounding halfway points of a few exponents.
  @Test func inlineHalfMatchesHalfPrecision() {
    var patterns: [UInt32] = Array(stride(from: UInt32(0), to: 0x8000_0000, by: 8191))
    for edge: UInt32 in [0x3880_0000, 0x477F_E000, 0x477F_F000, 0x4780_0000, 0x3F80_1000, 0x3C00_3000, 0x4000_0FFF] {
      patterns += (edge - 2048)...(edge + 2048)
    }
    var mismatches: [UInt32] = []
    for bits in patterns {
      for sign: UInt32 in [0, 0x8000_0000] {
        let v = Float(bitPattern: bits | sign)
        if GGMLLegacyFast.halfBits(v) != HalfPrecision.halfBits(from: v) { mismatches.append(bits | sign) }
      }
    }
    #expect(mismatches.isEmpty, "first: \(mismatches.prefix(4).map { String($0, radix: 16) })")
  }
}

/// The legacy kernels' own NaN/Inf detection, which lets ``Quantizer`` skip a separate pass.
@Suite struct GGMLFastPathFiniteTests {
  @Test(arguments: [DType.q8_0, .q4_0, .q4_1, .q5_0, .q5_1])
  func nonFiniteValuesAreDetected(type: DType) {
    var random = TestRandom(seed: 77)
    let base = random.normals(32 * 4)
    func finite(_ values: [Float]) -> Bool {
      var out = [UInt8](repeating: 0, count: values.count / 32 * type.bytesPerBlock)
      return values.withUnsafeBufferPointer { x in
        out.withUnsafeMutableBufferPointer { o in
          guard let xb = x.baseAddress, let ob = o.baseAddress else { return false }
          return GGMLLegacyFast.quantizeChecked(type, xb, blocks: values.count / 32, into: ob).finite
        }
      }
    }
    #expect(finite(base))
    #expect(finite(GGMLFastPathTieTests.boundaryBlocks(type)))
    #expect(finite(GGMLFastPathTieTests.specialBlocks()))
    for special in [Float.nan, -.nan, .infinity, -.infinity] {
      for position in [0, 1, 17, 31, 32 * 2 + 5] {
        var values = base
        values[position] = special
        #expect(!finite(values), "\(special) at \(position)")
      }
      for fill: Float in [0, 1, -3] {
        for position in [0, 9, 31] {
          var values = [Float](repeating: fill, count: 32)
          values[position] = special
          #expect(!finite(values), "\(special) at \(position) among \(fill)")
        }
      }
    }
  }

  @Test(arguments: [Scheme.q8_0, .q4_0, .q4_1, .q5_0, .q5_1])
  func quantizerStillThrowsForNonFinite(scheme: Scheme) {
    var values = [Float](repeating: 0.5, count: 64)
    values[40] = .nan
    values[3] = .infinity
    #expect(throws: QuantError.nonFinite(count: 2, firstIndex: 3)) {
      try values.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [64], scheme: scheme, channelAxis: 0) }
    }
  }
}

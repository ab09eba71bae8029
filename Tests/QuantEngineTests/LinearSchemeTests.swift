import Testing
import TensorCore
@testable import QuantEngine

/// The SIMD linear path against the scalar reference, and the converter's rules.
@Suite struct LinearSchemeTests {
  static let linearSchemes: [Scheme] = [.int8, .int8Tensor, .int8Asym, .int4, .int4G32, .int4G64, .int4G128]

  /// Shapes and channel axes covering contiguous channels, channels with an outer dimension,
  /// interleaved channels (short inner stride) and short last groups.
  static let layouts: [([Int], Int)] = [
    ([16, 40], 0), ([16, 40], 1), ([3, 3, 8, 24], 3), ([4, 5, 33], 1), ([6, 100], 0), ([7], 0), ([], 0), ([5, 3], -1),
  ]

  static func sample(count: Int, seed: UInt64) -> [Float] {
    var random = TestRandom(seed: seed)
    var values = random.normals(count)
    // Sprinkle exact ties and near-ties of common scales, an outlier and a zero.
    for i in stride(from: 0, to: count, by: 7) { values[i] = Float(Int(values[i] * 20)) / 2 + 0.5 }
    for i in stride(from: 3, to: count, by: 11) { values[i] = values[i - 3].nextDown }
    if count > 5 { values[5] = 9; values[count - 1] = 0 }
    return values
  }

  @Test(arguments: linearSchemes)
  func fastPathEqualsReference(scheme: Scheme) throws {
    for (index, (shape, axis)) in Self.layouts.enumerated() {
      let values = Self.sample(count: Shape.elementCount(shape) ?? 0, seed: UInt64(index + 1))
      guard case .linear(let parameters) = scheme.encoding(channelAxis: axis) else {
        Issue.record("\(scheme) is not linear"); return
      }
      let fast = try values.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: shape, scheme: scheme, channelAxis: axis) }
      let reference = try values.withUnsafeBufferPointer { try LinearReference.quantize($0, shape: shape, parameters: parameters) }
      #expect(fast.values == reference.values, "\(scheme) \(shape) axis \(axis)")
      #expect(fast.scales.map(\.bitPattern) == reference.scales.map(\.bitPattern), "\(scheme) \(shape) axis \(axis)")
      #expect(fast.zeroPoints == reference.zeroPoints)
      // The fused evaluate path reconstructs exactly what dequantize gives back.
      let kept = try values.withUnsafeBufferPointer { try SchemeAnalysis.evaluateKeeping($0, shape: shape, scheme: scheme, channelAxis: axis) }
      var decoded = [Float](repeating: .nan, count: values.count)
      try decoded.withUnsafeMutableBufferPointer { try Quantizer.dequantize(reference, into: $0) }
      #expect(sameBits(kept.reconstructed, decoded), "\(scheme) \(shape): \(firstMismatch(kept.reconstructed, decoded))")
      #expect(kept.quantized.values == reference.values)
    }
  }

  @Test func tiesRoundHalfAwayFromZero() throws {
    // amax 127 gives scale exactly 1, so x/scale is x itself.
    let values: [Float] = [127, 2.5, -2.5, 0.5, -0.5, 3.5, Float(2.5).nextDown, Float(-2.5).nextUp, 126.5, -126.5]
    let data = try values.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [values.count], scheme: .int8Tensor, channelAxis: 0) }
    #expect(data.scales == [1])
    let q = data.values.map { Int8(bitPattern: $0) }
    #expect(q == [127, 3, -3, 1, -1, 4, 2, -2, 127, -127])
  }

  @Test func zeroChannelGetsZeroScale() throws {
    var values = Self.sample(count: 4 * 16, seed: 9)
    for i in 16..<32 { values[i] = 0 }
    let data = try values.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [4, 16], scheme: .int8, channelAxis: 0) }
    #expect(data.scales[1] == 0)
    #expect(data.scales[0] > 0)
    #expect(data.values[16..<32].allSatisfy { $0 == 0 })
  }

  @Test func allZeroTensorGetsScaleOnePerTensor() throws {
    let values = [Float](repeating: 0, count: 12)
    let data = try values.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [3, 4], scheme: .int8Tensor, channelAxis: 0) }
    #expect(data.scales == [1])
    let metrics = try values.withUnsafeBufferPointer { try SchemeAnalysis.evaluate($0, shape: [3, 4], scheme: .int8Tensor, channelAxis: 0) }
    #expect(metrics.sqnrDB == .infinity)
    #expect(metrics.cosine == 1)
  }

  @Test func asymmetricParametersFollowTheConverter() throws {
    let values: [Float] = [-1, 3, 0.5, 2]
    let data = try values.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [4], scheme: .int8Asym, channelAxis: 0) }
    #expect(data.scales == [Float(4) / 255])
    // round(−128 − (−1)/(4/255)) = round(−64.25) = −64
    #expect(data.zeroPoints == [-64])
    #expect(Int8(bitPattern: data.values[0]) == -128)
    #expect(Int8(bitPattern: data.values[1]) == 127)
    // Only positive values: the range widens to include 0, so 0 maps to −128.
    let positive: [Float] = [1, 2, 4]
    let p = try positive.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [3], scheme: .int8Asym, channelAxis: 0) }
    #expect(p.zeroPoints == [-128])
  }

  @Test func groupScalesCoverShortLastGroup() throws {
    let values = Self.sample(count: 2 * 40, seed: 4)
    let data = try values.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [2, 40], scheme: .int4G32, channelAxis: 0) }
    #expect(data.scales.count == 4)
    let tail = values[32..<40].map { abs($0) }.max() ?? 0
    #expect(data.scales[1] == tail / 7)
    #expect(data.values.allSatisfy { Int8(bitPattern: $0) >= -7 && Int8(bitPattern: $0) <= 7 })
  }

  @Test func channelAxisOutOfRangeThrows() {
    let values = [Float](repeating: 1, count: 6)
    #expect(throws: QuantError.self) {
      try values.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [2, 3], scheme: .int8, channelAxis: 2) }
    }
  }
}

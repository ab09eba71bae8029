import Testing
import TensorCore
import QuantEngine

/// Round-trip error bounds per family (ggml's test-quantize-fns style) and exact stored sizes.
@Suite struct RoundTripTests {
  /// Largest allowed RMSE relative to the data's standard deviation, for N(0,1) data [64, 256].
  static func maxRelativeRMSE(_ scheme: Scheme) -> Double {
    switch scheme {
    case .f32: return 0
    case .f16: return 1e-3
    case .bf16: return 5e-3
    case .int8, .int8Tensor, .int8Asym, .q8_0: return 0.015
    case .q6_k: return 0.03
    case .q5_0, .q5_1, .q5_k: return 0.05
    case .int4G32, .q4_0, .q4_1, .q4_k: return 0.1
    case .int4G64: return 0.12
    case .int4G128: return 0.13
    case .int4: return 0.2
    case .q3_k: return 0.2
    case .q2_k: return 0.45
    }
  }

  @Test(arguments: Scheme.allCases)
  func roundTripErrorWithinFamilyBound(scheme: Scheme) throws {
    var random = TestRandom(seed: 77)
    let values = random.normals(64 * 256)
    let shape = [64, 256]
    let kept = try values.withUnsafeBufferPointer { try SchemeAnalysis.evaluateKeeping($0, shape: shape, scheme: scheme, channelAxis: 0) }
    let metrics = kept.metrics
    #expect(metrics.mse.squareRoot() <= Self.maxRelativeRMSE(scheme), "\(scheme): rmse \(metrics.mse.squareRoot())")
    if scheme != .f32 { #expect(metrics.mse > 0) }
    #expect(metrics.cosine > 0.9)
    // evaluate and evaluateKeeping agree, and the metrics describe the kept reconstruction.
    let plain = try values.withUnsafeBufferPointer { try SchemeAnalysis.evaluate($0, shape: shape, scheme: scheme, channelAxis: 0) }
    // Equal up to summation order (another suite may switch the engine to several threads).
    #expect(plain.storedBytes == metrics.storedBytes && plain.maxAbsError == metrics.maxAbsError)
    #expect(abs(plain.mse - metrics.mse) <= 1e-9 * metrics.mse)
    #expect(plain.clippedFraction == metrics.clippedFraction)
    let direct = values.withUnsafeBufferPointer { x in
      kept.reconstructed.withUnsafeBufferPointer { y in Metrics.compare(original: x, reconstructed: y) }
    }
    #expect(abs(direct.mse - metrics.mse) <= 1e-9 * max(1, metrics.mse))
    #expect(metrics.storedBytes == (try Quantizer.storedBytes(scheme: scheme, shape: shape, channelAxis: 0)))
    if scheme.isGGML || scheme.isFloat { #expect(kept.quantized.values.count == metrics.storedBytes) }
    #expect((metrics.rmseOverScale == nil) == scheme.isFloat)
    if let ratio = metrics.rmseOverScale, scheme.family == .linear || scheme.family == .ggmlLegacy {
      // Uniform rounding noise gives ≈ 1/√12 ≈ 0.289 of a step.
      #expect(ratio > 0.2 && ratio < 0.4, "\(scheme): rmse/scale \(ratio)")
    }
  }

  @Test func storedBytesAreExact() throws {
    #expect(try Quantizer.storedBytes(scheme: .int8, shape: [10, 20], channelAxis: 0) == 200 + 10 * 4)
    #expect(try Quantizer.storedBytes(scheme: .int8, shape: [10, 20], channelAxis: 1) == 200 + 20 * 4)
    #expect(try Quantizer.storedBytes(scheme: .int4, shape: [10, 21], channelAxis: 0) == 105 + 10 * 4)
    #expect(try Quantizer.storedBytes(scheme: .int4G32, shape: [10, 40], channelAxis: 0) == 200 + 10 * 2 * 4)
    #expect(try Quantizer.storedBytes(scheme: .int4G128, shape: [3, 128], channelAxis: 0) == 192 + 3 * 4)
    #expect(try Quantizer.storedBytes(scheme: .int8Tensor, shape: [7], channelAxis: 0) == 7 + 4)
    #expect(try Quantizer.storedBytes(scheme: .int8Asym, shape: [7], channelAxis: 0) == 7 + 8)
    #expect(try Quantizer.storedBytes(scheme: .f16, shape: [3], channelAxis: 0) == 6)
    #expect(try Quantizer.storedBytes(scheme: .f32, shape: [], channelAxis: 0) == 4)
    #expect(try Quantizer.storedBytes(scheme: .q4_0, shape: [2, 64], channelAxis: 0) == 4 * 18)
    #expect(try Quantizer.storedBytes(scheme: .q8_0, shape: [1, 32], channelAxis: 0) == 34)
    #expect(try Quantizer.storedBytes(scheme: .q4_k, shape: [2, 256], channelAxis: 0) == 2 * 144)
    #expect(try Quantizer.storedBytes(scheme: .q6_k, shape: [256], channelAxis: 0) == 210)
  }

  @Test func nominalBitsPerWeight() {
    #expect(Scheme.int8.nominalBitsPerWeight == 8)
    #expect(Scheme.q4_0.nominalBitsPerWeight == 4.5)
    #expect(Scheme.q4_k.nominalBitsPerWeight == 4.5)
    #expect(Scheme.q2_k.nominalBitsPerWeight == 2.625)
    #expect(Scheme.int4G32.nominalBitsPerWeight == 5)
    #expect(Scheme.allCases.allSatisfy { !$0.summary.isEmpty && $0.displayName == $0.rawValue })
  }
}

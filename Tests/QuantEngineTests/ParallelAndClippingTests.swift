import Testing
import TensorCore
@testable import QuantEngine

/// Clipping counts against the scalar rule, and the multi-threaded ggml paths against one thread.
@Suite(.serialized) struct ParallelAndClippingTests {
  @Test func q4_0CountsLevelsPastTheTop() throws {
    // Signed max −8 gives d = 1: x + 8.5 truncates past 15 for x ≥ 7.5.
    var block = [Float](repeating: 0, count: 32)
    block[0] = -8; block[1] = 7.9; block[2] = 7.6; block[3] = 7.4; block[4] = 7.5
    let metrics = try block.withUnsafeBufferPointer { try SchemeAnalysis.evaluate($0, shape: [32], scheme: .q4_0, channelAxis: 0) }
    #expect(metrics.clippedFraction == 3.0 / 32)
    let q8 = try block.withUnsafeBufferPointer { try SchemeAnalysis.evaluate($0, shape: [32], scheme: .q8_0, channelAxis: 0) }
    #expect(q8.clippedFraction == 0)
  }

  @Test(arguments: [Scheme.q8_0, .q4_0, .q5_1])
  func parallelMatchesSingleThread(scheme: Scheme) throws {
    var random = TestRandom(seed: 99)
    let values = random.normals(32 * 3000)
    let shape = [values.count / 64, 64]
    let saved = (EngineThreads.limit, BlockQuantize.parallelThreshold)
    defer { EngineThreads.limit = saved.0; BlockQuantize.parallelThreshold = saved.1 }
    BlockQuantize.parallelThreshold = 512
    EngineThreads.limit = 1
    let single = try values.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: shape, scheme: scheme, channelAxis: 0) }
    let singleMetrics = try values.withUnsafeBufferPointer { try SchemeAnalysis.evaluate($0, shape: shape, scheme: scheme, channelAxis: 0) }
    EngineThreads.limit = 2
    let multi = try values.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: shape, scheme: scheme, channelAxis: 0) }
    let multiMetrics = try values.withUnsafeBufferPointer { try SchemeAnalysis.evaluate($0, shape: shape, scheme: scheme, channelAxis: 0) }
    #expect(single.values == multi.values)
    // Float partial sums are folded at different chunk boundaries, so only the last digits move.
    #expect(abs(singleMetrics.mse - multiMetrics.mse) <= 1e-6 * singleMetrics.mse)
    #expect(singleMetrics.maxAbsError == multiMetrics.maxAbsError)
    #expect(singleMetrics.clippedFraction == multiMetrics.clippedFraction)
  }

  @Test(arguments: [Scheme.int8, .int4G32, .int4G128, .int4])
  func parallelLinearMatchesSingleThread(scheme: Scheme) throws {
    var random = TestRandom(seed: 7)
    var values = random.normals(96 * 200)
    for i in 200..<400 { values[i] = 0 }  // a zero channel
    let shape = [96, 200]
    let saved = (EngineThreads.limit, ParallelRuns.linearThreshold)
    defer { EngineThreads.limit = saved.0; ParallelRuns.linearThreshold = saved.1 }
    ParallelRuns.linearThreshold = 1000
    EngineThreads.limit = 1
    let single = try values.withUnsafeBufferPointer { try SchemeAnalysis.evaluateKeeping($0, shape: shape, scheme: scheme, channelAxis: 0) }
    EngineThreads.limit = 2
    let multi = try values.withUnsafeBufferPointer { try SchemeAnalysis.evaluateKeeping($0, shape: shape, scheme: scheme, channelAxis: 0) }
    #expect(single.quantized.values == multi.quantized.values)
    #expect(single.quantized.scales == multi.quantized.scales)
    #expect(sameBits(single.reconstructed, multi.reconstructed))
    #expect(abs(single.metrics.mse - multi.metrics.mse) <= 1e-9 * single.metrics.mse)
    #expect(single.metrics.rmseOverScale.map { abs($0 - (multi.metrics.rmseOverScale ?? 0)) < 1e-9 } == true)
    // Non-finite input is still reported over the whole tensor.
    values[5000] = .nan
    #expect(throws: QuantError.nonFinite(count: 1, firstIndex: 5000)) {
      try values.withUnsafeBufferPointer { try SchemeAnalysis.evaluate($0, shape: shape, scheme: scheme, channelAxis: 0) }
    }
  }

  /// K-quants split by super-blocks at the default threshold (a 600-block tensor is already
  /// worth two threads) and give the single-thread bytes.
  @Test(arguments: [Scheme.q2_k, .q3_k, .q4_k, .q5_k, .q6_k])
  func kQuantsSplitAcrossCores(scheme: Scheme) throws {
    var random = TestRandom(seed: 1234)
    let values = random.normals(256 * 600)
    let shape = [values.count / 512, 512]
    let saved = EngineThreads.limit
    defer { EngineThreads.limit = saved }
    EngineThreads.limit = 2
    let units = BlockQuantize.workUnits(.q4_k, blocks: 600)
    #expect(ParallelSplit.parts(for: units, threshold: BlockQuantize.parallelThreshold) == 2)
    let multi = try values.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: shape, scheme: scheme, channelAxis: 0) }
    EngineThreads.limit = 1
    let single = try values.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: shape, scheme: scheme, channelAxis: 0) }
    #expect(single.values == multi.values)
  }
}

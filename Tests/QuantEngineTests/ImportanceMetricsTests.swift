import Foundation
import Testing
import TensorCore
@testable import QuantEngine

/// Importance-weighted metrics, expert slices, threads and argument checks.
@Suite(.serialized) struct ImportanceMetricsTests {
  static func tensor(rows: Int, columns: Int, seed: UInt64) -> [Float] {
    var random = TestRandom(seed: seed)
    return random.normals(rows * columns)
  }

  static func importance(_ n: Int, seed: UInt64) -> [Float] {
    var random = TestRandom(seed: seed)
    return (0..<n).map { _ in random.uniform() * random.uniform() * 10 }
  }

  /// Σ w(x−y)² / Σ w in Double, w repeating per row.
  static func weightedMSE(_ x: [Float], _ y: [Float], _ w: [Float]) -> Double {
    var sw = 0.0, swe2 = 0.0
    for i in 0..<x.count {
      let wi = Double(w[i % w.count]), e = Double(x[i] - y[i])
      sw += wi; swe2 += wi * e * e
    }
    return swe2 / sw
  }

  @Test func weightedMetricsMatchADirectSum() throws {
    let columns = 64, rows = 8
    let x = Self.tensor(rows: rows, columns: columns, seed: 3), w = Self.importance(columns, seed: 4)
    let (metrics, _, y) = try x.withUnsafeBufferPointer {
      try SchemeAnalysis.evaluateKeeping($0, shape: [rows, columns], scheme: .q4_0, channelAxis: 0, importance: w)
    }
    var sw = 0.0, swe2 = 0.0, swx2 = 0.0
    for i in 0..<x.count {
      let wi = Double(w[i % columns]), e = Double(x[i] - y[i])
      sw += wi; swe2 += wi * e * e; swx2 += wi * Double(x[i]) * Double(x[i])
    }
    let mse = try #require(metrics.weightedMSE), sqnr = try #require(metrics.weightedSQNRdB)
    #expect(abs(mse - swe2 / sw) <= 1e-5 * mse)
    #expect(abs(sqnr - 10 * log10(swx2 / swe2)) < 1e-3)
  }

  @Test func unweightedCallsLeaveWeightedFieldsNil() throws {
    let x = Self.tensor(rows: 2, columns: 32, seed: 5)
    let m = try x.withUnsafeBufferPointer { try SchemeAnalysis.evaluate($0, shape: [2, 32], scheme: .q4_0, channelAxis: 0) }
    #expect(m.weightedMSE == nil && m.weightedSQNRdB == nil)
  }

  /// The point of the imatrix: error moves to the columns that matter less.
  @Test(arguments: [Scheme.q4_0, .q4_1, .q5_0, .q3_k, .q4_k, .q6_k])
  func importanceLowersTheWeightedError(scheme: Scheme) throws {
    let columns = 512, rows = 16
    let x = Self.tensor(rows: rows, columns: columns, seed: 11)
    var w = [Float](repeating: 0.01, count: columns)
    for j in stride(from: 0, to: columns, by: 7) { w[j] = 100 }
    let shape = [rows, columns]
    let weighted = try x.withUnsafeBufferPointer { try SchemeAnalysis.evaluate($0, shape: shape, scheme: scheme, channelAxis: 0, importance: w) }
    let plain = try x.withUnsafeBufferPointer { try SchemeAnalysis.evaluateKeeping($0, shape: shape, scheme: scheme, channelAxis: 0) }
    #expect(try #require(weighted.weightedMSE) < Self.weightedMSE(x, plain.reconstructed, w))
  }

  @Test func expertSlicesUseTheirOwnWeights() throws {
    let columns = 256, experts = 2, rowsPerExpert = 3
    let x = Self.tensor(rows: experts * rowsPerExpert, columns: columns, seed: 21)
    let w0 = Self.importance(columns, seed: 22), w1 = Self.importance(columns, seed: 23)
    let shape = [experts, rowsPerExpert, columns]
    let both = try x.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: shape, scheme: .q4_k, channelAxis: 0, importance: w0 + w1) }
    let half = rowsPerExpert * columns
    let first = try x[0..<half].withUnsafeBufferPointer {
      try Quantizer.quantize($0, shape: [rowsPerExpert, columns], scheme: .q4_k, channelAxis: 0, importance: w0)
    }
    let second = try x[half...].withUnsafeBufferPointer {
      try Quantizer.quantize($0, shape: [rowsPerExpert, columns], scheme: .q4_k, channelAxis: 0, importance: w1)
    }
    #expect(both.values == first.values + second.values)
  }

  @Test(arguments: [Scheme.q4_0, .q5_1, .q2_k, .q5_k])
  func weightedParallelMatchesSingleThread(scheme: Scheme) throws {
    let columns = 512, rows = 40
    let x = Self.tensor(rows: rows, columns: columns, seed: 31), w = Self.importance(columns, seed: 32)
    let saved = (EngineThreads.limit, BlockQuantize.parallelThreshold)
    defer { EngineThreads.limit = saved.0; BlockQuantize.parallelThreshold = saved.1 }
    BlockQuantize.parallelThreshold = 64
    EngineThreads.limit = 1
    let single = try x.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [rows, columns], scheme: scheme, channelAxis: 0, importance: w) }
    EngineThreads.limit = 2
    let multi = try x.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [rows, columns], scheme: scheme, channelAxis: 0, importance: w) }
    #expect(single.values == multi.values)
  }

  @Test func badImportanceIsRefused() throws {
    let x = Self.tensor(rows: 4, columns: 64, seed: 41)
    for bad: [Float] in [[Float](repeating: 1, count: 63), [Float](repeating: 1, count: 64 * 3), [.nan] + [Float](repeating: 1, count: 63), [-1] + [Float](repeating: 1, count: 63)] {
      #expect(throws: QuantError.self) {
        try x.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [4, 64], scheme: .q4_0, channelAxis: 0, importance: bad) }
      }
    }
    // Schemes that ignore importance still check it, and otherwise match the plain call.
    let w = Self.importance(64, seed: 42)
    let a = try x.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [4, 64], scheme: .int8, channelAxis: 0, importance: w) }
    let b = try x.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [4, 64], scheme: .int8, channelAxis: 0) }
    #expect(a.values == b.values && a.scales == b.scales)
  }
}

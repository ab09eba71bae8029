import Testing
import TensorCore
import QuantEngine

/// Empty, scalar and 1-D tensors, rows that do not fill blocks, and non-finite input.
@Suite struct EdgeCaseTests {
  @Test(arguments: Scheme.allCases)
  func emptyTensorEvaluates(scheme: Scheme) throws {
    let values: [Float] = []
    let metrics = try values.withUnsafeBufferPointer { try SchemeAnalysis.evaluate($0, shape: [0, 256], scheme: scheme, channelAxis: 0) }
    // Only the per-tensor parameters remain for an empty tensor.
    let parameters = scheme == .int8Tensor ? 4 : (scheme == .int8Asym ? 8 : 0)
    #expect(metrics.storedBytes == parameters)
    #expect(metrics.sqnrDB == .infinity)
    #expect(metrics.mse == 0)
  }

  @Test(arguments: Scheme.allCases)
  func nanInputIsRefused(scheme: Scheme) {
    var values = [Float](repeating: 0.25, count: 512)
    values[3] = .nan
    values[300] = -.infinity
    #expect(throws: QuantError.nonFinite(count: 2, firstIndex: 3)) {
      try values.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [2, 256], scheme: scheme, channelAxis: 0) }
    }
    #expect(throws: QuantError.nonFinite(count: 2, firstIndex: 3)) {
      try values.withUnsafeBufferPointer { try SchemeAnalysis.evaluate($0, shape: [2, 256], scheme: scheme, channelAxis: 0) }
    }
  }

  @Test(arguments: Scheme.allCases.filter(\.isGGML))
  func ggmlRowNotDivisibleThrows(scheme: Scheme) throws {
    let values = [Float](repeating: 1, count: 3 * 40)
    let block = try #require(scheme.blockType).blockSize
    #expect(throws: QuantError.rowNotDivisible(rowLength: 40, blockSize: block, scheme: scheme.rawValue)) {
      try values.withUnsafeBufferPointer { try SchemeAnalysis.evaluate($0, shape: [3, 40], scheme: scheme, channelAxis: 0) }
    }
    #expect(throws: QuantError.rowNotDivisible(rowLength: 40, blockSize: block, scheme: scheme.rawValue)) {
      try Quantizer.storedBytes(scheme: scheme, shape: [3, 40], channelAxis: 0)
    }
    let scalar: [Float] = [1]
    #expect(throws: QuantError.self) {
      try scalar.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [], scheme: scheme, channelAxis: 0) }
    }
  }

  @Test(arguments: Scheme.allCases.filter { !$0.isGGML })
  func scalarAndOneDimensionalTensors(scheme: Scheme) throws {
    let scalar: [Float] = [0.75]
    let s = try scalar.withUnsafeBufferPointer { try SchemeAnalysis.evaluateKeeping($0, shape: [], scheme: scheme, channelAxis: 0) }
    #expect(s.reconstructed.count == 1)
    #expect(abs(s.reconstructed[0] - 0.75) <= 0.75 / 7 / 2 + 1e-6)
    let line: [Float] = (0..<40).map { Float($0) / 8 - 2 }
    let l = try line.withUnsafeBufferPointer { try SchemeAnalysis.evaluate($0, shape: [40], scheme: scheme, channelAxis: 0) }
    #expect(l.sqnrDB > 15)
  }

  @Test func shapeMismatchThrows() {
    let values = [Float](repeating: 1, count: 10)
    #expect(throws: QuantError.self) {
      try values.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [3, 4], scheme: .int8, channelAxis: 0) }
    }
  }

  @Test func malformedLinearDataThrows() {
    let data = QuantizedData(encoding: Scheme.int8.encoding(channelAxis: 0), shape: [2, 2], values: [0, 0, 0, 0], scales: [1])
    var out = [Float](repeating: 0, count: 4)
    #expect(throws: QuantError.self) { try out.withUnsafeMutableBufferPointer { try Quantizer.dequantize(data, into: $0) } }
  }
}

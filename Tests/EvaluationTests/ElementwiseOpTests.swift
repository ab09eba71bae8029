@testable import Evaluation
import Foundation
import TensorCore
import Testing

@Suite struct ElementwiseOpTests {
  @Test func binaryOpsBroadcast() throws {
    let a = T([2, 3], [1, 2, 3, 4, 5, 6])
    let b = T([3], [1, 0, -1])
    #expect(try OpHarness.one("ADD", [a, b]).data == [2, 2, 2, 5, 5, 5])
    #expect(try OpHarness.one("SUB", [a, b]).data == [0, 2, 4, 3, 5, 7])
    #expect(try OpHarness.one("MUL", [a, b]).data == [1, 0, -3, 4, 0, -6])
    #expect(try OpHarness.one("DIV", [a, T([1], [2])]).data == [0.5, 1, 1.5, 2, 2.5, 3])
    #expect(try OpHarness.one("MAXIMUM", [a, T([2, 1], [3, 4])]).data == [3, 3, 3, 4, 5, 6])
    #expect(try OpHarness.one("MINIMUM", [a, T([2, 1], [3, 4])]).data == [1, 2, 3, 4, 4, 4])
    #expect(try OpHarness.one("SQUARED_DIFFERENCE", [a, b]).data == [0, 4, 16, 9, 25, 49])
    let fused = try OpHarness.one("ADD", [a, T([1], [-3])], attributes: ["fused_activation_function": .string("RELU")])
    #expect(fused.data == [0, 0, 0, 1, 2, 3])
  }

  @Test func incompatibleShapesAreAnError() {
    #expect(throws: EvaluationError.self) { try OpHarness.one("ADD", [T([2], [1, 2]), T([3], [1, 2, 3])]) }
  }

  @Test func unaryOps() throws {
    let x = T([5], [-4, -0.5, 0, 0.5, 8])
    #expect(try OpHarness.one("RELU", [x]).data == [0, 0, 0, 0.5, 8])
    #expect(try OpHarness.one("RELU6", [x]).data == [0, 0, 0, 0.5, 6])
    #expect(try OpHarness.one("RELU_N1_TO_1", [x]).data == [-1, -0.5, 0, 0.5, 1])
    #expect(try OpHarness.one("LEAKY_RELU", [x], attributes: ["alpha": .float(0.1)]).data == [-0.4, -0.05, 0, 0.5, 8])
    #expect(try OpHarness.one("PRELU", [x, T([1], [0.5])]).data == [-2, -0.25, 0, 0.5, 8])
    #expect(close(try OpHarness.one("LOGISTIC", [x]).data, x.data.map { 1 / (1 + exp(-$0)) }))
    #expect(close(try OpHarness.one("TANH", [x]).data, x.data.map { tanh($0) }))
    #expect(close(try OpHarness.one("EXP", [x]).data, x.data.map { exp($0) }))
    let hardSwish: [Float] = [0, -0.5 * 2.5 / 6, 0, 0.5 * 3.5 / 6, 8]
    #expect(close(try OpHarness.one("HARD_SWISH", [x]).data, hardSwish))
    #expect(close(try OpHarness.one("RSQRT", [T([2], [4, 0.25])]).data, [0.5, 2]))
    // GELU(1) = 0.8413447 exactly (erf form); the tanh form gives 0.8411920.
    #expect(close(try OpHarness.one("GELU", [T([1], [1])]).data, [0.8413447], 1e-6))
    #expect(close(try OpHarness.one("GELU", [T([1], [1])], attributes: ["approximate": .bool(true)]).data, [0.8411920], 1e-6))
  }

  @Test func softmaxAndL2Norm() throws {
    let s = try OpHarness.one("SOFTMAX", [T([2, 2], [0, 0, 1, 3])], attributes: ["beta": .float(1)])
    let low: Float = 1 / (1 + Float(exp(2.0)))
    let expected: [Float] = [0.5, 0.5, low, 1 - low]
    #expect(close(s.data, expected))
    let l2 = try OpHarness.one("L2_NORMALIZATION", [T([1, 2], [3, 4])])
    #expect(close(l2.data, [0.6, 0.8]))
  }

  @Test func reductions() throws {
    let x = T([2, 3], [1, 2, 3, 4, 5, 6])
    let mean = try OpHarness.one("MEAN", [x, T([1], [1])], attributes: ["keep_dims": .bool(true)])
    #expect(mean.shape == [2, 1] && mean.data == [2, 5])
    let sum = try OpHarness.one("SUM", [x, T([1], [0])])
    #expect(sum.shape == [3] && sum.data == [5, 7, 9])
  }

  @Test func hybridQuantizerMatchesLiteRTRowMath() {
    // Symmetric: scale = 2/127; 1.0 → round(63.5) = 64 (half away from zero) → 64·2/127.
    var symmetric: [Float] = [2, 1, -0.5]
    HybridQuantizer.fakeQuantize(&symmetric, rows: 1, asymmetric: false)
    let step: Float = 2 / 127
    let expectedSymmetric: [Float] = [2, 64 * step, -32 * step]
    #expect(close(symmetric, expectedSymmetric, 1e-6))
    // Asymmetric over [0, 2.55]: scale 0.01, zero point -128; every multiple of 0.01 is exact.
    var asymmetric: [Float] = [0, 1.23, 2.55]
    HybridQuantizer.fakeQuantize(&asymmetric, rows: 1, asymmetric: true)
    #expect(close(asymmetric, [0, 1.23, 2.55], 1e-5))
    // Two rows quantize independently: the small row keeps its precision.
    var rows: [Float] = [100, 1, 0.01, 0.02]
    HybridQuantizer.fakeQuantize(&rows, rows: 2, asymmetric: false)
    let smallStep: Float = 0.02 / 127
    let expectedSmall: [Float] = [64 * smallStep, 0.02]
    #expect(rows[1] != 1 && close(Array(rows[2...]), expectedSmall, 1e-3))
  }

  @Test func hybridModeQuantizesFullyConnectedInputs() throws {
    let x = T([1, 3], [1, 0.3, -0.7])
    let w = T([1, 3], [1, 1, 1])
    let exact = try OpHarness.one("FULLY_CONNECTED", [x, w])
    let hybrid = try OpHarness.one("FULLY_CONNECTED", [x, w], hybrid: .init(asymmetric: false))
    var fake = x.data
    HybridQuantizer.fakeQuantize(&fake, rows: 1, asymmetric: false)
    #expect(close(exact.data, [0.6]))
    #expect(close(hybrid.data, [fake.reduce(0, +)], 1e-6))
    #expect(hybrid.data != exact.data)
  }

  @Test func fullyConnectedAndBatchMatMul() throws {
    let x = T([2, 2], [1, 2, 3, 4])
    let w = T([3, 2], [1, 0, 0, 1, 1, 1])
    let fc = try OpHarness.one("FULLY_CONNECTED", [x, w, T([3], [0, 0, 10])])
    #expect(fc.shape == [2, 3] && fc.data == [1, 2, 13, 3, 4, 17])
    let y = T([2, 3], [1, 0, 1, 0, 1, 1])
    let mm = try OpHarness.one("BATCH_MATMUL", [x, y])
    #expect(mm.shape == [2, 3] && mm.data == [1, 2, 3, 3, 4, 7])
    let adj = try OpHarness.one("BATCH_MATMUL", [x, w], attributes: ["adj_y": .bool(true)])
    #expect(adj.data == [1, 2, 3, 3, 4, 7])
  }

  @Test func quantizeRoundTripsThroughTheOutputScale() throws {
    let output = ModelGraph.Tensor(name: "q", shape: [3], dtype: .i8,
                                   quantization: StoredQuantization(scales: [0.5], zeroPoints: [0], axis: nil))
    let out = try OpHarness.run("QUANTIZE", [T([3], [0.6, 100, -1.3])], outputTensor: output)
    #expect(out.first?.data == [0.5, 63.5, -1.5])
  }
}

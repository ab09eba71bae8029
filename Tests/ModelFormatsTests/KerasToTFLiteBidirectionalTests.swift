import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// Keras `Bidirectional(LSTM)` → REVERSE_V2 + two UNIDIRECTIONAL_SEQUENCE_LSTM + CONCATENATION/ADD
/// (the fixture comparisons with the converter's files are in ``KerasToTFLiteLSTMTests``); here
/// what is refused, and the op layout.
@Suite struct KerasToTFLiteBidirectionalTests {
  typealias S = TFLiteTestSupport

  static func object(_ pairs: [(String, KerasJSON)]) -> KerasJSON {
    .object(pairs.map { .init(key: $0.0, value: $0.1, offset: 0) })
  }

  static func wrapper(_ inner: String = "LSTM", merge: KerasJSON = .string("concat"), units: Int = 8,
                      backward: [(String, KerasJSON)]? = nil) -> LayerConfig {
    let innerConfig = object([("units", .number("\(units)")), ("return_sequences", .bool(false))])
    var pairs: [(String, KerasJSON)] = [
      ("merge_mode", merge), ("layer", object([("class_name", .string(inner)), ("config", innerConfig)])),
    ]
    if let backward {
      pairs.append(("backward_layer", object([("class_name", .string("LSTM")), ("config", object(backward))])))
    }
    return LayerConfig(json: object(pairs))
  }

  @Test("concat, sum, mul and ave convert; merge_mode None, other wrapped classes and mismatched backward layers are refused")
  func refusals() {
    typealias C = KerasTFLiteConverter
    #expect(C.bidirectionalUnsupportedReason(Self.wrapper()) == nil)
    #expect(C.bidirectionalUnsupportedReason(Self.wrapper(merge: .string("sum"))) == nil)
    #expect(C.bidirectionalUnsupportedReason(Self.wrapper(merge: .string("mul"))) == nil)
    #expect(C.bidirectionalUnsupportedReason(Self.wrapper(merge: .string("ave"))) == nil)
    #expect(C.bidirectionalUnsupportedReason(Self.wrapper(merge: .string("max")))?.contains("'max'") == true)
    #expect(C.bidirectionalUnsupportedReason(Self.wrapper(merge: .null))?.contains("'none'") == true)
    #expect(C.bidirectionalUnsupportedReason(Self.wrapper("GRU"))?.contains("Bidirectional(GRU)") == true)
    #expect(C.bidirectionalUnsupportedReason(Self.wrapper("GRU"))?.contains("WHILE loop") == true)
    #expect(C.loopedRecurrentReason("GRU")?.contains("Keras GRU as a WHILE loop") == true)
    #expect(C.loopedRecurrentReason("LSTM") == nil)
    let matching: [(String, KerasJSON)] = [("units", .number("8")), ("return_sequences", .bool(false)), ("go_backwards", .bool(true))]
    #expect(C.bidirectionalUnsupportedReason(Self.wrapper(backward: matching)) == nil)
    let wider: [(String, KerasJSON)] = [("units", .number("9")), ("return_sequences", .bool(false)), ("go_backwards", .bool(true))]
    #expect(C.bidirectionalUnsupportedReason(Self.wrapper(backward: wider))?.contains("units") == true)
    let forwards: [(String, KerasJSON)] = [("units", .number("8")), ("return_sequences", .bool(false)), ("go_backwards", .bool(false))]
    #expect(C.bidirectionalUnsupportedReason(Self.wrapper(backward: forwards)) != nil)
  }

  @Test("op layout: backward LSTM (reversed input) first, forward second, merged forward-first")
  func layout() throws {
    let model = try KerasTestSupport.open("bilstm_seq.keras")
    let bytes = try KerasToTFLite.convert(model)
    let file = try TFLiteFile.parse(file: MappedFile(bytes: bytes, name: "bi.tflite"), path: "bi.tflite")
    let graph = file.subgraphs[0]
    let names = graph.operators.map { file.operatorCodes[$0.opcodeIndex].name }
    #expect(names == ["REVERSE_V2", "UNIDIRECTIONAL_SEQUENCE_LSTM", "REVERSE_V2", "UNIDIRECTIONAL_SEQUENCE_LSTM",
                      "CONCATENATION", "FULLY_CONNECTED"])
    let ops = graph.operators
    #expect(ops[1].inputs.first == ops[0].outputs.first)  // backward reads the reversed input
    #expect(ops[3].inputs.first == graph.inputs.first)  // forward reads the input
    #expect(ops[4].inputs == [ops[3].outputs[0], ops[2].outputs[0]])
  }

  @Test("legacy .h5 (bi_0/forward_lstm_0/lstm_cell/…): the converter's ops and weights; inspect lists the six under bi_0")
  func legacyH5() throws {
    let model = try KerasTestSupport.open("bilstm_last.h5")
    let layer = try #require(model.layers.first { $0.name == "bi_0" })
    #expect(layer.kind == "Bidirectional" && layer.tensorIndices.count == 6)
    let bytes = try KerasToTFLite.convert(model)
    let ours = try TFLiteFile.parse(file: MappedFile(bytes: bytes, name: "h5.tflite"), path: "h5.tflite")
    let reference = try TFLiteFile.parse(path: try S.fixture("bilstm_last.tflite"))
    let mine = S.view(ours), theirs = S.view(reference)
    #expect(mine.count == theirs.count)
    for (a, b) in zip(mine, theirs) { #expect(a == b) }
  }

  @Test("a Bidirectional whose direction lacks its cell weights is one error naming the layer")
  func missingWeights() throws {
    var model = try KerasTestSupport.open("bilstm_last.keras")
    model.tensors.removeAll { $0.name == "bi_0/backward_layer/cell/kernel" }
    do {
      _ = try KerasToTFLite.convert(model)
      Issue.record("converted a Bidirectional without its backward kernel")
    } catch {
      #expect(error.description.contains("'bi_0' (Bidirectional)") && error.description.contains("backward_layer/cell/kernel"),
              "\(error.description)")
      #expect(!error.description.contains("\n"))
    }
  }
}

/// merge_mode ave: the ½ folded into a following Dense's weights (the converter's file), kept as
/// a MUL before anything else.
extension KerasToTFLiteBidirectionalTests {
  /// x → ADD(x, x) → MUL(·, ½ marked as the ave merge) → `consumer`; the Dense has weights w, bias b.
  static func averagedGraph(denseReadsMul: Bool) -> (graph: ConvertedGraph, weight: Int, bias: Int) {
    var graph = ConvertedGraph()
    let x = graph.activation("x", shape: [1, 3])
    graph.inputs = [("x", x)]
    let sum = graph.activation("sum", shape: [1, 3])
    graph.append(ConvertedOps.add, [x, x], [sum], options: ConvertedOps.addOptions())
    let half = graph.constant("half", shape: [], floats: [0.5])
    let averaged = graph.activation("ave", shape: [1, 3])
    graph.append(ConvertedOps.mul, [sum, half], [averaged], options: ConvertedOps.mulOptions())
    graph.ops[graph.ops.count - 1].scalesFollowingDense = true
    let weight = graph.constant("w", shape: [2, 3], floats: [1, -3, 0.75, 2, 1e-30, -0])
    let bias = graph.constant("b", shape: [2], floats: [5, -7])
    var denseInput = averaged
    if !denseReadsMul {
      denseInput = graph.activation("tanh", shape: [1, 3])
      graph.append(ConvertedOps.tanh, [averaged], [denseInput])
    }
    let out = graph.activation("y", shape: [1, 2])
    graph.append(ConvertedOps.fullyConnected, [denseInput, weight, bias], [out], options: ConvertedOps.fullyConnected(keepNumDims: false),
                 location: ["out/MatMul", "out/BiasAdd"])
    graph.outputs = [("y", out)]
    return (graph, weight, bias)
  }

  @Test("ave before a Dense: the MUL is gone, the Dense reads the ADD, its weights are halved and its bias is not")
  func averageFoldsIntoDense() throws {
    var (graph, weight, bias) = Self.averagedGraph(denseReadsMul: true)
    graph.optimize()
    #expect(graph.ops.map(\.code) == [ConvertedOps.add, ConvertedOps.fullyConnected])
    #expect(graph.ops.last?.inputs.first == graph.ops.first?.outputs.first)
    let halved = try #require(graph.floats(weight))
    #expect(halved.map(\.bitPattern) == [0.5, -1.5, 0.375, 1, 5e-31, -0].map { Float($0).bitPattern })
    #expect(graph.floats(bias) == [5, -7])
    // Named after the whole dense op, as in the converter's bilstm_ave file.
    #expect(graph.tensors[weight].name == "out/MatMul;out/BiasAdd")
  }

  @Test("ave before another layer, or before a Dense that also reads it elsewhere: ADD then MUL by ½")
  func averageStaysMul() throws {
    var (graph, weight, _) = Self.averagedGraph(denseReadsMul: false)
    graph.optimize()
    #expect(graph.ops.map(\.code) == [ConvertedOps.add, ConvertedOps.mul, ConvertedOps.tanh, ConvertedOps.fullyConnected])
    #expect(graph.floats(weight) == [1, -3, 0.75, 2, 1e-30, -0])
    #expect(graph.tensors[weight].name == "w")
    // The averaged value also a graph output: the Dense cannot take the ½.
    var shared = Self.averagedGraph(denseReadsMul: true)
    let averaged = try #require(shared.graph.ops[1].outputs.first)
    shared.graph.outputs.append(("ave", averaged))
    shared.graph.optimize()
    #expect(shared.graph.ops.map(\.code) == [ConvertedOps.add, ConvertedOps.mul, ConvertedOps.fullyConnected])
    #expect(shared.graph.floats(shared.weight) == [1, -3, 0.75, 2, 1e-30, -0])
  }
}

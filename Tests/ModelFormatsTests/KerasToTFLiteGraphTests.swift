import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// The converter's graph clean-ups and the Keras config reader, on hand-built inputs.
@Suite struct KerasToTFLiteGraphTests {
  /// x → CONV_2D(w, b) → MUL(scale) → ADD(shift) → RELU6 → out.
  func convBatchNormRelu(extraUse: Bool = false) -> (ConvertedGraph, weight: Int, bias: Int) {
    var g = ConvertedGraph()
    let x = g.activation("x", shape: [1, 4, 4, 2])
    let w = g.constant("w", shape: [2, 1, 1, 2], floats: [1, 2, 3, 4])
    let b = g.constant("b", shape: [2], floats: [0.5, -0.5])
    let conv = g.activation("conv", shape: [1, 4, 4, 2])
    g.append(ConvertedOps.conv2D, [x, w, b], [conv], options: ConvertedOps.conv2D(padding: 0, stride: (1, 1), dilation: (1, 1)))
    let scale = g.constant("scale", shape: [2], floats: [10, 100])
    let mul = g.activation("mul", shape: [1, 4, 4, 2])
    g.append(ConvertedOps.mul, [conv, scale], [mul], options: ConvertedOps.mulOptions())
    let shift = g.constant("shift", shape: [2], floats: [1, 2])
    let add = g.activation("add", shape: [1, 4, 4, 2])
    g.append(ConvertedOps.add, [mul, shift], [add], options: ConvertedOps.addOptions())
    let out = g.activation("out", shape: [1, 4, 4, 2])
    g.append(ConvertedOps.relu6, [add], [out])
    g.inputs = [("x", x)]
    g.outputs = [("out", out)]
    if extraUse { g.outputs.append(("conv", conv)) }
    return (g, w, b)
  }

  @Test func batchNormFoldsIntoConvAndRelu6Fuses() {
    var (g, w, b) = convBatchNormRelu()
    g.optimize()
    #expect(g.ops.map(\.code) == [ConvertedOps.conv2D])
    #expect(g.ops[0].fusedActivation == ConvertedOps.Fused.relu6)
    #expect(g.ops[0].outputs == [g.outputs[0].tensor])
    // OHWI rows scale per output channel; bias = b·scale + shift.
    #expect(g.floats(w) == [10, 20, 300, 400])
    #expect(g.floats(b) == [6, -48])
  }

  @Test func nothingFoldsWhenTheConvOutputIsUsedElsewhere() {
    var (g, w, _) = convBatchNormRelu(extraUse: true)
    g.optimize()
    // The conv output is also a model output, so MUL/ADD stay; RELU6 still fuses into the ADD.
    #expect(g.ops.map(\.code) == [ConvertedOps.conv2D, ConvertedOps.mul, ConvertedOps.add])
    #expect(g.ops[0].fusedActivation == ConvertedOps.Fused.none)
    #expect(g.ops[2].fusedActivation == ConvertedOps.Fused.relu6)
    #expect(g.floats(w) == [1, 2, 3, 4])
  }

  @Test func samePaddingPadFoldsIntoAStridedConv() {
    var g = ConvertedGraph()
    let x = g.activation("x", shape: [1, 8, 8, 1])
    let pads = g.constant("pads", int32s: [0, 0, 0, 1, 0, 1, 0, 0], shape: [4, 2])
    let padded = g.activation("padded", shape: [1, 9, 9, 1])
    g.append(ConvertedOps.pad, [x, pads], [padded], options: ConvertedOps.padOptions())
    let w = g.constant("w", shape: [1, 3, 3, 1], floats: [Float](repeating: 1, count: 9))
    let b = g.constant("b", shape: [1], floats: [0])
    let out = g.activation("out", shape: [1, 4, 4, 1])
    g.append(ConvertedOps.conv2D, [padded, w, b], [out], options: ConvertedOps.conv2D(padding: 1, stride: (2, 2), dilation: (1, 1)))
    g.outputs = [("out", out)]
    var unfoldable = g
    unfoldable.tensors[pads].data = .int32s([0, 0, 1, 0, 1, 0, 0, 0])  // padding before: not SAME's split
    g.optimize()
    #expect(g.ops.map(\.code) == [ConvertedOps.conv2D])
    #expect(g.ops[0].inputs[0] == x)
    #expect(g.ops[0].options?.int8(0) == Int8(ConvertedOps.Padding.same))
    unfoldable.optimize()
    #expect(unfoldable.ops.map(\.code) == [ConvertedOps.pad, ConvertedOps.conv2D])
  }

  @Test func serializedGraphReadsBackWithSignatureAndVersions() throws {
    var (g, _, _) = convBatchNormRelu()
    g.optimize()
    let bytes = try g.serialize(description: "test")
    let file = try TFLiteFile.parse(file: MappedFile(bytes: bytes, name: "g.tflite"), path: "g.tflite")
    #expect(file.subgraphs[0].operators.count == 1)
    #expect(file.operatorCodes.map(\.name) == ["CONV_2D"])
    #expect(file.signatures.first?.inputs.map(\.name) == ["x"])
    #expect(file.signatures.first?.outputs.map(\.name) == ["out"])
    // Only tensors an op or the signature uses are written: x, w, b, out. The bias is named after
    // the ops folded into the conv (the converter's fused location), the output as TF names it.
    #expect(file.subgraphs[0].tensors.map(\.name) == ["x", "w", "out;add;conv;shift", "StatefulPartitionedCall_1:0"])
    #expect(file.minRuntimeVersion == "1.5.0")
  }

  func json(_ text: String) throws -> KerasJSON { try KerasJSON.parse(Array(text.utf8)) }

  @Test func functionalConfigsOfBothKerasGenerationsGiveTheSameCalls() throws {
    let keras3 = try json("""
      {"class_name": "Functional", "config": {"name": "m", "layers": [
        {"class_name": "Dense", "config": {"name": "d2"}, "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
          "config": {"keras_history": ["d1", 0, 0]}}], "kwargs": {}}]},
        {"class_name": "InputLayer", "config": {"name": "in", "batch_shape": [null, 3]}, "inbound_nodes": []},
        {"class_name": "Dense", "config": {"name": "d1"}, "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
          "config": {"keras_history": ["in", 0, 0]}}], "kwargs": {}}]}],
        "input_layers": ["in", 0, 0], "output_layers": [["d2", 0, 0], ["d1", 0, 0]]}}
      """)
    let keras2 = try json("""
      {"class_name": "Model", "config": {"name": "m", "layers": [
        {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 3]}, "inbound_nodes": []},
        {"class_name": "Dense", "config": {"name": "d1"}, "inbound_nodes": [[["in", 0, 0, {}]]]},
        {"class_name": "Dense", "config": {"name": "d2"}, "inbound_nodes": [[["d1", 0, 0, {}]]]}],
        "input_layers": [["in", 0, 0]], "output_layers": [["d2", 0, 0], ["d1", 0, 0]]}}
      """)
    for root in [keras3, keras2] {
      let graph = KerasGraph.read(root)
      // Producers first even when config.json lists a consumer earlier.
      #expect(graph.calls.map(\.name) == ["d1", "d2"])
      #expect(graph.calls.map { $0.inputs.map(\.layer) } == [["in"], ["d1"]])
      #expect(graph.inputs.map(\.name) == ["in"])
      #expect(graph.outputs.map(\.layer) == ["d2", "d1"])
      #expect(graph.problems.isEmpty)
    }
  }

  @Test func sequentialWithoutAnyInputShapeIsReported() throws {
    let root = try json(#"{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "Dense", "config": {"name": "d"}}]}}"#)
    let graph = KerasGraph.read(root)
    #expect(graph.problems.count == 1)
    #expect(graph.problems.first?.contains("no input shape") == true)
  }

  @Test func cyclicOrDanglingInputsAreReportedPerLayer() throws {
    let root = try json("""
      {"class_name": "Functional", "config": {"name": "m", "layers": [
        {"class_name": "InputLayer", "config": {"name": "in", "batch_shape": [null, 3]}, "inbound_nodes": []},
        {"class_name": "Dense", "config": {"name": "a"}, "inbound_nodes": [[["ghost", 0, 0, {}]]]},
        {"class_name": "Dense", "config": {"name": "b"}, "inbound_nodes": [[["a", 0, 0, {}]]]}],
        "input_layers": [["in", 0, 0]], "output_layers": [["b", 0, 0]]}}
      """)
    let graph = KerasGraph.read(root)
    #expect(graph.problems.count == 2)
    #expect(graph.problems.allSatisfy { $0.contains("never computed") })
  }
}

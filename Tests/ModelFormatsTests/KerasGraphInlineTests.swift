import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// Nested models inlined into the outer call graph, and the limits that keep a crafted config
/// from expanding without end.
@Suite struct KerasGraphInlineTests {
  func json(_ text: String) throws -> KerasJSON { try KerasJSON.parse(Array(text.utf8)) }

  /// A Sequential of `layers` Dense layers, as a layer entry of an outer model called `calls` times.
  func sequentialEntry(name: String, layers: Int, calls: Int) -> String {
    let dense = (0..<layers).map { #"{"class_name": "Dense", "config": {"name": "d\#($0)"}}"# }.joined(separator: ",")
    let nodes = (0..<calls).map { _ in
      #"{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["in", 0, 0]}}], "kwargs": {}}"#
    }.joined(separator: ",")
    return #"{"class_name": "Sequential", "config": {"name": "\#(name)", "layers": [{"class_name": "InputLayer", "config": {"name": "i", "batch_shape": [null, 3]}}, \#(dense)]}, "inbound_nodes": [\#(nodes)]}"#
  }

  func functional(_ entries: [String], output: String) throws -> KerasJSON {
    try json("""
      {"class_name": "Functional", "config": {"name": "m", "layers": [
        {"class_name": "InputLayer", "config": {"name": "in", "batch_shape": [null, 3]}, "inbound_nodes": []},
        \(entries.joined(separator: ","))],
        "input_layers": [["in", 0, 0]], "output_layers": [\(output)]}}
      """)
  }

  @Test func sharedNestedModelBecomesOneCallPerUseWithAliasedTensors() throws {
    var graph = KerasGraph.read(try functional([sequentialEntry(name: "block", layers: 2, calls: 2)], output: #"["block", 1, 0]"#))
    graph.inlineNestedModels()
    #expect(graph.problems.isEmpty)
    #expect(graph.calls.map(\.name) == ["block/d0", "block/d1", "block/d0", "block/d1"])
    #expect(graph.calls.map(\.tfScope) == ["block_1/d0_1", "block_1/d1_1", "block_2/d0_1", "block_2/d1_1"])
    // The second call's first layer reads the outer input; the model output is its last layer.
    #expect(graph.resolve(graph.calls[2].inputs[0]) == KerasGraph.TensorRef(layer: "in", node: 0, tensor: 0))
    let output = graph.resolve(try #require(graph.outputs.first))
    #expect(output.layer == "block/d1" && output.node == graph.calls[3].node)
  }

  @Test func nestedFunctionalCallsAreNumberedAfterItsOwnNode() throws {
    let inner = #"{"class_name": "Functional", "config": {"name": "head", "layers": [{"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [null, 3]}, "inbound_nodes": []}, {"class_name": "Dense", "config": {"name": "fc"}, "inbound_nodes": [[["x", 0, 0, {}]]]}], "input_layers": [["x", 0, 0]], "output_layers": [["fc", 0, 0]]}, "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["in", 0, 0]}}], "kwargs": {}}]}"#
    var graph = KerasGraph.read(try functional([inner], output: #"["head", 1, 0]"#))
    graph.inlineNestedModels()
    #expect(graph.problems.isEmpty)
    #expect(graph.resolve(try #require(graph.outputs.first)).layer == "head/fc")
  }

  @Test func expansionBeyondTheCallBudgetIsOneProblem() throws {
    // 300 layers × 300 calls = 90,000 inlined calls > 65,536.
    var graph = KerasGraph.read(try functional([sequentialEntry(name: "big", layers: 300, calls: 300)], output: #"["big", 0, 0]"#))
    graph.inlineNestedModels()
    #expect(graph.problems.count == 1)
    #expect(graph.problems.first?.contains("more than 65536 layer calls") == true)
  }

  @Test func nestingDeeperThanTheLimitIsReported() throws {
    var entry = sequentialEntry(name: "leaf", layers: 1, calls: 1)
    for level in 0..<18 {
      entry = #"{"class_name": "Sequential", "config": {"name": "s\#(level)", "layers": [{"class_name": "InputLayer", "config": {"name": "i", "batch_shape": [null, 3]}}, \#(entry)]}, "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["in", 0, 0]}}], "kwargs": {}}]}"#
    }
    var graph = KerasGraph.read(try functional([entry], output: #"["s17", 0, 0]"#))
    graph.inlineNestedModels()
    #expect(graph.problems.contains { $0.contains("nested deeper than 16 levels") })
  }
}

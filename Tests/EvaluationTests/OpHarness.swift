@testable import Evaluation
import TensorCore

/// Runs one op on given inputs through the interpreter.
enum OpHarness {
  static func run(
    _ type: String, _ inputs: [EvalTensor?], outputs: Int = 1, attributes: [String: ModelGraph.Attribute] = [:],
    hybrid: Interpreter.HybridMode? = nil, outputTensor: ModelGraph.Tensor? = nil,
    sparse: (shape: [Int], sparsity: ModelGraph.Sparsity)? = nil
  ) throws -> [EvalTensor] {
    var tensors: [ModelGraph.Tensor] = inputs.enumerated().map { i, t in
      ModelGraph.Tensor(name: "in\(i)", shape: t?.shape ?? [], dtype: .f32)
    }
    // A sparse input 0 is described by its dense shape, as a file describes it.
    if let sparse, !tensors.isEmpty { tensors[0] = ModelGraph.Tensor(name: "in0", shape: sparse.shape, dtype: .f32, sparsity: sparse.sparsity) }
    let outIds = (0..<outputs).map { tensors.count + $0 }
    for i in 0..<outputs { tensors.append(outputTensor ?? ModelGraph.Tensor(name: "out\(i)", shape: [], dtype: .f32)) }
    let inputIds = inputs.enumerated().map { $1 == nil ? -1 : $0 }
    let op = ModelGraph.Op(type: type, inputs: inputIds, outputs: outIds, attributes: attributes)
    let graph = ModelGraph(tensors: tensors, ops: [op], inputs: [], outputs: outIds.map { .init(name: "o", tensor: $0) })
    let interpreter = Interpreter(graph: graph)
    var values = [EvalTensor?](repeating: nil, count: tensors.count)
    for (i, t) in inputs.enumerated() { values[i] = t }
    try interpreter.run(ops: [0], values: &values, hybrid: hybrid.map { [0: $0] } ?? [:])
    return outIds.compactMap { values[$0] }
  }

  static func one(
    _ type: String, _ inputs: [EvalTensor?], attributes: [String: ModelGraph.Attribute] = [:],
    hybrid: Interpreter.HybridMode? = nil
  ) throws -> EvalTensor {
    let result = try run(type, inputs, attributes: attributes, hybrid: hybrid)
    guard let first = result.first else { throw EvaluationError.cancelled }
    return first
  }
}

func T(_ shape: [Int], _ data: [Float]) -> EvalTensor { EvalTensor(shape: shape, data: data) }

/// True when every element is within `tolerance` of the expected value.
func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-5) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
}

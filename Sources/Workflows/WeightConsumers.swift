import TensorCore

/// Which op's output shows the effect of quantizing a weight: the layer that consumes it.
///
/// The TUI's per-layer output-SQNR column puts each op's accumulated output SQNR
/// (``EvaluationReport/layers``) next to the weights that op reads. A weight read through a
/// DEQUANTIZE op belongs to the op reading the dequantized values, not to the DEQUANTIZE.
public enum WeightConsumers {
  /// Model tensor index → graph op index of its first consumer (in execution order). Tensors
  /// no op reads (or that are not in the graph) are absent.
  public static func ops(in graph: ModelGraph) -> [Int: Int] {
    var readers = [[Int]](repeating: [], count: graph.tensors.count)
    for (i, op) in graph.ops.enumerated() {
      for t in op.inputs where t >= 0 && t < readers.count { readers[t].append(i) }
    }
    func consumer(of tensor: Int, depth: Int) -> Int? {
      guard tensor >= 0, tensor < readers.count, depth < 4 else { return nil }
      for i in readers[tensor] {
        let op = graph.ops[i]
        // DEQUANTIZE only widens the stored weight; its reader is the layer.
        if op.type == "DEQUANTIZE", let out = op.outputs.first, let next = consumer(of: out, depth: depth + 1) {
          return next
        }
        return i
      }
      return nil
    }
    var result: [Int: Int] = [:]
    for (t, tensor) in graph.tensors.enumerated() {
      guard case let .modelTensor(m)? = tensor.constant, let op = consumer(of: t, depth: 0) else { continue }
      if let existing = result[m], existing <= op { continue }
      result[m] = op
    }
    return result
  }

  /// Model tensor index → the accumulated output SQNR (dB) of the op consuming it, from `report`.
  public static func layerSQNR(_ report: EvaluationReport, consumers: [Int: Int]) -> [Int: Double] {
    var byOp: [Int: Double] = [:]
    for layer in report.layers { byOp[layer.op] = layer.sqnr }
    var result: [Int: Double] = [:]
    for (tensor, op) in consumers { if let sqnr = byOp[op] { result[tensor] = sqnr } }
    return result
  }
}

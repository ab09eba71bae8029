import TensorCore

/// Nested models (a Sequential or Functional model used as a layer, e.g. a backbone) are
/// converted by inlining: each call of the inner model becomes its layers' calls, named by the
/// path the weights file uses (`block/dense`), with the inner inputs aliased to the call's
/// arguments and the call's outputs aliased to the inner outputs. This is what the TF converter
/// sees too: it traces through the inner model, so its ops sit under `outer_1/block_1/dense_1/`.
extension KerasGraph {
  /// Inner node numbers are spread per outer call so the refs of two calls never collide.
  static let nodeStride = 4096
  static let maxNesting = 16
  /// Layer calls after inlining, at most: a nested model called many times at many levels
  /// multiplies, and a crafted file must not turn that into an endless expansion.
  static let maxCalls = 1 << 16

  mutating func inlineNestedModels() {
    var budget = KerasGraph.maxCalls
    inlineNestedModels(depth: 0, budget: &budget)
  }

  mutating func inlineNestedModels(depth: Int, budget: inout Int) {
    guard calls.contains(where: \.isModel) else { return }
    var flat: [Call] = []
    for call in calls {
      guard call.isModel else {
        flat.append(call)
        continue
      }
      guard depth < KerasGraph.maxNesting, call.node < KerasGraph.nodeStride else {
        problems.append("'\(call.name)' (\(call.className)): models nested deeper than \(KerasGraph.maxNesting) levels are not converted")
        continue
      }
      var inner = KerasGraph.read(call.entry)
      budget -= inner.calls.count
      guard budget >= 0 else {
        problems.append("'\(call.name)' (\(call.className)): nested models expand to more than \(KerasGraph.maxCalls) layer calls")
        calls = []
        return
      }
      inner.inlineNestedModels(depth: depth + 1, budget: &budget)
      problems += inner.problems.map { "in nested model '\(call.name)': \($0)" }
      let prefix = call.name + "/"
      let base = call.node * KerasGraph.nodeStride
      func outer(_ ref: TensorRef) -> TensorRef {
        TensorRef(layer: prefix + ref.layer, node: base + ref.node, tensor: ref.tensor)
      }
      guard inner.inputs.count == call.inputs.count else {
        problems.append("'\(call.name)' (\(call.className)): the nested model takes \(inner.inputs.count) inputs but is called with \(call.inputs.count)")
        continue
      }
      for (input, argument) in zip(inner.inputs, call.inputs) {
        aliases[outer(TensorRef(layer: input.name, node: 0, tensor: 0))] = argument
      }
      for (from, to) in inner.aliases { aliases[outer(from)] = outer(to) }
      for (t, output) in inner.outputs.enumerated() {
        aliases[TensorRef(layer: call.name, node: call.node, tensor: t)] = outer(output)
      }
      let scope = call.tfScope + "/"
      for innerCall in inner.calls {
        var inlined = innerCall
        inlined.name = prefix + innerCall.name
        inlined.node = base + innerCall.node
        inlined.inputs = innerCall.inputs.map(outer)
        inlined.scope = scope + innerCall.tfScope
        flat.append(inlined)
      }
    }
    calls = flat
  }

  /// The tensor a reference finally stands for, through nested-model aliases.
  func resolve(_ ref: TensorRef) -> TensorRef {
    var current = ref
    var steps = 0
    while let next = aliases[current], steps < 1 << 10 {
      current = next
      steps += 1
    }
    return current
  }
}

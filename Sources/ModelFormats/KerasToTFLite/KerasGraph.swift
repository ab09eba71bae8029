import TensorCore

/// The call graph of a Keras Sequential or Functional model, read from config.json: every layer
/// call with the tensors it reads, in an order where producers come first.
struct KerasGraph {
  /// A Keras tensor: output `tensor` of call `node` of layer `layer`.
  struct TensorRef: Hashable, CustomStringConvertible {
    var layer: String
    var node: Int
    var tensor: Int
    var description: String { "\(layer)[\(node)][\(tensor)]" }
  }

  /// One call of one layer.
  struct Call {
    var name: String
    var className: String
    var config: KerasJSON
    var node: Int
    var inputs: [TensorRef]
    /// Whether the entry is itself a model (nested Sequential/Functional).
    var isModel: Bool
    /// The whole layer entry (a nested model's own layer list lives in it).
    var entry: KerasJSON = .null
    /// TF's name scope for this call's ops below the model's: `layer_1`, or `block_1/layer_1` for
    /// a layer of an inlined nested model.
    var scope: String = ""

    var tfScope: String { scope.isEmpty ? "\(name)_\(node + 1)" : scope }
  }

  var modelName: String
  var calls: [Call]
  /// Model inputs: the InputLayer names with their configs.
  var inputs: [(name: String, config: KerasJSON)]
  var outputs: [TensorRef]

  /// Problems found while reading the structure (one per offending layer).
  var problems: [String] = []
  /// Tensors that are other tensors: a nested model's inputs are its caller's arguments, its
  /// outputs its last layers' outputs (filled by ``inlineNestedModels()``).
  var aliases: [TensorRef: TensorRef] = [:]

  static func read(_ root: KerasJSON) -> KerasGraph {
    let className = root["class_name"]?.stringValue ?? "?"
    let name = root["config"]?["name"]?.stringValue ?? "model"
    let entries = KerasModelConfig.layerList(root) ?? []
    if className == "Sequential" { return sequential(entries, root: root, name: name) }
    return functional(entries, root: root, name: name)
  }

  static func entryFacts(_ entry: KerasJSON, index: Int) -> (name: String, className: String, config: KerasJSON, isModel: Bool) {
    let className = entry["class_name"]?.stringValue ?? "?"
    let config = entry["config"] ?? .null
    let name = config["name"]?.stringValue ?? entry["name"]?.stringValue ?? "\(className.lowercased())_\(index)"
    return (name, className, config, KerasModelConfig.layerList(entry) != nil)
  }

  static func sequential(_ entries: [KerasJSON], root: KerasJSON, name: String) -> KerasGraph {
    var graph = KerasGraph(modelName: name, calls: [], inputs: [], outputs: [])
    var previous: TensorRef?
    for (index, entry) in entries.enumerated() {
      let facts = entryFacts(entry, index: index)
      if facts.className == "InputLayer" {
        graph.inputs.append((facts.name, facts.config))
        previous = TensorRef(layer: facts.name, node: 0, tensor: 0)
        continue
      }
      if previous == nil {
        // Keras 2 style: the first layer carries batch_input_shape itself.
        let shape = facts.config["batch_input_shape"] ?? facts.config["batch_shape"]
          ?? root["config"]?["build_input_shape"] ?? root["build_config"]?["input_shape"]
        guard let shape, shape != .null else {
          graph.problems.append("'\(facts.name)' (\(facts.className)): the model has no input shape (no InputLayer, no batch_input_shape)")
          return graph
        }
        let inputName = "input_layer"
        graph.inputs.append((inputName, .object([.init(key: "batch_shape", value: shape, offset: 0), .init(key: "name", value: .string(inputName), offset: 0)])))
        previous = TensorRef(layer: inputName, node: 0, tensor: 0)
      }
      guard let input = previous else { continue }
      graph.calls.append(Call(name: facts.name, className: facts.className, config: facts.config, node: 0,
                              inputs: [input], isModel: facts.isModel, entry: entry))
      previous = TensorRef(layer: facts.name, node: 0, tensor: 0)
    }
    if let previous { graph.outputs = [previous] }
    return graph
  }

  static func functional(_ entries: [KerasJSON], root: KerasJSON, name: String) -> KerasGraph {
    var graph = KerasGraph(modelName: name, calls: [], inputs: [], outputs: [])
    var pending: [Call] = []
    for (index, entry) in entries.enumerated() {
      let facts = entryFacts(entry, index: index)
      if facts.className == "InputLayer" {
        graph.inputs.append((facts.name, facts.config))
        continue
      }
      let nodes = entry["inbound_nodes"]?.arrayValue ?? []
      if nodes.isEmpty {
        graph.problems.append("'\(facts.name)' (\(facts.className)): the layer is never called (no inbound nodes)")
      }
      // Keras 3 refers to a nested Functional model's calls by their run-time node numbers, and
      // building a Functional model gives it node 0 itself: its k-th listed call is node k + 1.
      let offset = facts.isModel && facts.className != "Sequential" && nodes.first?["args"] != nil ? 1 : 0
      for (n, node) in nodes.enumerated() {
        pending.append(Call(name: facts.name, className: facts.className, config: facts.config, node: n + offset,
                            inputs: tensorRefs(in: node), isModel: facts.isModel, entry: entry, scope: "\(facts.name)_\(n + 1)"))
      }
    }
    // config.json lists layers in creation order, which is topological for Keras' own saves;
    // sort anyway so shared layers called later still come after their inputs.
    var available = Set(graph.inputs.map { TensorRef(layer: $0.name, node: 0, tensor: 0).layerNode })
    while !pending.isEmpty {
      guard let next = pending.firstIndex(where: { call in call.inputs.allSatisfy { available.contains($0.layerNode) } }) else {
        for call in pending {
          let missing = call.inputs.filter { !available.contains($0.layerNode) }.map(\.description)
          graph.problems.append("'\(call.name)' (\(call.className)): its inputs \(missing.joined(separator: ", ")) are never computed")
        }
        break
      }
      let call = pending.remove(at: next)
      available.insert(TensorRef(layer: call.name, node: call.node, tensor: 0).layerNode)
      graph.calls.append(call)
    }
    let config = root["config"] ?? .null
    graph.outputs = triples(config["output_layers"] ?? .null)
    let declaredInputs = triples(config["input_layers"] ?? .null).map(\.layer)
    if !declaredInputs.isEmpty {
      // Signature order follows input_layers.
      graph.inputs.sort { a, b in
        (declaredInputs.firstIndex(of: a.name) ?? Int.max) < (declaredInputs.firstIndex(of: b.name) ?? Int.max)
      }
    }
    return graph
  }

  /// `["name", node, tensor]` or a list of them.
  static func triples(_ value: KerasJSON) -> [TensorRef] {
    guard let items = value.arrayValue else { return [] }
    if let name = items.first?.stringValue {
      return [TensorRef(layer: name, node: items.count > 1 ? items[1].intValue ?? 0 : 0,
                        tensor: items.count > 2 ? items[2].intValue ?? 0 : 0)]
    }
    return items.flatMap { triples($0) }
  }

  /// Tensor references of one inbound node, Keras 3 (`__keras_tensor__` objects with
  /// `keras_history`) or Keras 2 (`[name, node, tensor, kwargs]` lists).
  static func tensorRefs(in node: KerasJSON) -> [TensorRef] {
    var refs: [TensorRef] = []
    func walk(_ value: KerasJSON) {
      switch value {
      case .object:
        if let history = value["config"]?["keras_history"], value["class_name"]?.stringValue == "__keras_tensor__" {
          refs += triples(history)
          return
        }
        if let args = value["args"] { walk(args) }
      case let .array(items):
        if items.count >= 3, let name = items[0].stringValue, let n = items[1].intValue, let t = items[2].intValue {
          refs.append(TensorRef(layer: name, node: n, tensor: t))
          return
        }
        items.forEach(walk)
      default:
        break
      }
    }
    walk(node)
    return refs
  }
}

extension KerasGraph.TensorRef {
  /// The producing call (tensor index dropped).
  var layerNode: String { "\(layer)#\(node)" }
}

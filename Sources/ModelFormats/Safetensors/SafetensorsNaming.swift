import TensorCore

extension SafetensorsFormat {
  /// Guesses a tensor's layer, op and role from its PyTorch-style name and shape.
  ///
  /// A safetensors file has no graph, so the state-dict name ("encoder.layer.0.attention.self.
  /// query.weight") is all we have: the module path is the layer, the parameter name says what the
  /// tensor is for.
  enum Naming {
    /// The module path: the name without its last dot component ("a.b.weight" → "a.b").
    static func layer(of name: String) -> String {
      guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
      return String(name[..<dot])
    }

    /// The parameter name: the last dot component.
    static func parameter(of name: String) -> String {
      guard let dot = name.lastIndex(of: ".") else { return name }
      return String(name[name.index(after: dot)...])
    }

    static func isNormName(_ lowered: String) -> Bool {
      lowered.contains("norm") || lowered.contains("ln_") || lowered.hasPrefix("ln")
        || lowered.contains(".ln") || lowered.contains("layer_norm")
    }

    static func isEmbeddingName(_ lowered: String) -> Bool {
      lowered.contains("embed") || lowered.contains("wte") || lowered.contains("wpe")
    }

    /// The lower-cased module path and parameter name, computed once per tensor.
    struct Parts {
      var module: String
      var parameter: String
      init(_ name: String) {
        module = layer(of: name).lowercased()
        parameter = Naming.parameter(of: name).lowercased()
      }
    }

    static func role(name: String, shape: [Int]) -> TensorRole { role(Parts(name), shape: shape) }

    static func role(_ parts: Parts, shape: [Int]) -> TensorRole {
      if parts.parameter == "bias" { return .bias }
      if shape.count <= 1 && isNormName(parts.module) && parts.parameter == "weight" { return .norm }
      if shape.count >= 2 && isEmbeddingName(parts.module) { return .embedding }
      if parts.parameter == "weight" && shape.count >= 2 { return .weight }
      return .other
    }

    static func op(name: String, shape: [Int]) -> String? { op(Parts(name), shape: shape) }

    static func op(_ parts: Parts, shape: [Int]) -> String? {
      if isEmbeddingName(parts.module) && shape.count == 2 { return "Embedding" }
      if shape.count == 4 && parts.parameter == "weight" { return "Conv" }
      if isNormName(parts.module) && shape.count <= 1 && (parts.parameter == "weight" || parts.parameter == "bias") { return "Norm" }
      if shape.count == 2 && parts.parameter == "weight" { return "Linear" }
      return nil
    }

    /// Builds a tensor with the guessed fields filled in.
    static func tensor(_ entry: Header.Entry, location: TensorLocation) -> ModelTensor {
      let parts = Parts(entry.name)
      let role = role(parts, shape: entry.shape)
      let quantizable = entry.dtype.isFloatingPoint && entry.shape.count >= 2 && (role == .weight || role == .embedding)
      var note: String?
      if !entry.dtype.isPlainDecodable {
        note = "\(entry.dtype.rawValue) weights are listed but not decoded"
      }
      return ModelTensor(
        name: entry.name, shape: entry.shape, dtype: entry.dtype, location: location, layer: layer(of: entry.name),
        op: op(parts, shape: entry.shape), role: role, isQuantizable: quantizable, channelAxis: 0,
        note: note)
    }

    /// Groups tensors by layer in order of first appearance; tensors without an op take the op of
    /// their layer (a Linear's bias is part of the Linear).
    static func group(_ tensors: inout [ModelTensor]) -> [ModelLayer] {
      var order: [String] = []
      var members: [String: [Int]] = [:]
      for (index, tensor) in tensors.enumerated() {
        let name = tensor.layer ?? tensor.name
        if members[name] == nil { order.append(name) }
        members[name, default: []].append(index)
      }
      var layers: [ModelLayer] = []
      for name in order {
        let indices = members[name] ?? []
        let kind = indices.first { tensors[$0].op != nil }.flatMap { tensors[$0].op }
        if let kind {
          for index in indices where tensors[index].op == nil { tensors[index].op = kind }
        }
        layers.append(ModelLayer(name: name, kind: kind, tensorIndices: indices))
      }
      return layers
    }
  }
}

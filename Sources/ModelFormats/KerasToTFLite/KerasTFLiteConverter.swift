import TensorCore

/// Builds a float TFLite graph from an opened Keras model (Sequential or Functional), layer by
/// layer, with the TF converter's op choices. Every layer that cannot be converted is collected,
/// so one error lists them all.
struct KerasTFLiteConverter {
  /// A Keras tensor as converted: the TFLite tensor and its static shape (batch 1 at dim 0).
  struct Value {
    var tensor: Int
    var shape: [Int]
    var rank: Int { shape.count }
  }

  /// Why one layer cannot be converted.
  struct Issue: Error {
    var message: String
    init(_ message: String) { self.message = message }
  }

  let model: Model
  let path: String
  var graph = ConvertedGraph()
  var values: [KerasGraph.TensorRef: Value] = [:]
  /// Layer name → variable name → index into ``Model/tensors``.
  var weightIndex: [String: [String: Int]] = [:]
  var problems: [String] = []
  /// The name scope TF gives the traced model's ops (`<model>_1`); tensor names start with it.
  var modelScope = "model_1"

  init(model: Model) {
    self.model = model
    path = model.path
  }

  /// Converts and returns the optimized graph, or throws one error naming every offending layer.
  mutating func run() throws(FormatError) -> ConvertedGraph {
    guard let context = model.formatContext as? KerasContext, let config = context.config else {
      throw .unsupported(file: path, what: "Keras file for TFLite conversion",
                         reason: "it has no architecture (config.json / model_config); a weights-only file cannot be converted")
    }
    for (i, ref) in context.refs.enumerated() where i < model.tensors.count {
      // Legacy .h5 readers leave layerIndex nil; their tensors carry the layer path instead.
      let owner = ref.layerIndex.flatMap { $0 < context.layers.count ? context.layers[$0].path : nil } ?? model.tensors[i].layer
      guard let owner else { continue }
      weightIndex[owner, default: [:]][ref.variable] = i
      // Sub-object variables also by their path below the layer ("forward_layer/cell/kernel"):
      // a Bidirectional holds two cells whose variables share the plain name.
      let name = model.tensors[i].name
      if name.hasPrefix(owner + "/") {
        let relative = String(name.dropFirst(owner.count + 1))
        if relative != ref.variable { weightIndex[owner, default: [:]][relative] = i }
      }
    }
    var kerasGraph = KerasGraph.read(config.root)
    kerasGraph.inlineNestedModels()
    modelScope = kerasGraph.modelName + "_1"
    problems = kerasGraph.problems
    var reported: Set<String> = []
    for call in kerasGraph.calls where reported.insert(call.name).inserted {
      if let reason = KerasTFLiteConverter.unsupportedReason(call) { problems.append("'\(call.name)' (\(call.className)): \(reason)") }
    }
    problems += KerasTFLiteConverter.maskedRecurrentProblems(kerasGraph.calls)
    if kerasGraph.inputs.isEmpty && problems.isEmpty {
      problems.append("the model has no input layer, so no input shape")
    }
    for input in kerasGraph.inputs { addInput(name: input.name, config: LayerConfig(json: input.config)) }
    for call in kerasGraph.calls {
      guard KerasTFLiteConverter.unsupportedReason(call) == nil else { continue }
      let inputs = call.inputs.compactMap { values[kerasGraph.resolve($0)] }
      // A missing input belongs to a layer already reported.
      guard inputs.count == call.inputs.count, !call.inputs.isEmpty else { continue }
      do throws(Issue) {
        let outputs = try emit(call, LayerConfig(json: call.config), inputs)
        for (t, value) in outputs.enumerated() { values[KerasGraph.TensorRef(layer: call.name, node: call.node, tensor: t)] = value }
      } catch {
        problems.append("'\(call.name)' (\(call.className)): \(error.message)")
      }
    }
    if problems.isEmpty { setOutputs(kerasGraph.outputs.map { (kerasGraph.resolve($0), $0.layer) }) }
    guard problems.isEmpty else {
      let count = problems.count
      throw .unsupported(file: path, what: "Keras model for TFLite conversion",
                         reason: "\(count) layer\(count == 1 ? "" : "s") cannot be converted: " + problems.joined(separator: "; "))
    }
    graph.optimize()
    return graph
  }

  mutating func addInput(name: String, config: LayerConfig) {
    let shape = config.json["batch_shape"] ?? config.json["batch_input_shape"]
    guard let dims = shape?.arrayValue, !dims.isEmpty else {
      problems.append("'\(name)' (InputLayer): no batch_shape, so the input shape cannot be inferred")
      return
    }
    var static_: [Int] = [1]
    for (i, dim) in dims.enumerated().dropFirst() {
      guard let value = dim.intValue, value > 0, value <= 1 << 24 else {
        problems.append("'\(name)' (InputLayer): dimension \(i) is \(dim == .null ? "unknown (None)" : "not a positive size"); TFLite needs static shapes apart from the batch")
        return
      }
      static_.append(value)
    }
    let dtype = KerasLayerKinds.policyName(config.json) ?? "float32"
    let type: TFLiteSchema.TensorType
    switch dtype {
    case "float32", "float16", "bfloat16", "mixed_float16", "mixed_bfloat16": type = .float32
    case "int32", "int8", "int16", "uint8": type = .int32
    case "int64": type = .int64
    default:
      problems.append("'\(name)' (InputLayer): input dtype \(dtype) is not converted")
      return
    }
    let tensor = graph.activation("serving_default_\(name):0", shape: static_, type: type)
    graph.inputs.append((name, tensor))
    values[KerasGraph.TensorRef(layer: name, node: 0, tensor: 0)] = Value(tensor: tensor, shape: static_)
  }

  /// The graph outputs: each resolved tensor with the output layer's name for the signature.
  mutating func setOutputs(_ refs: [(ref: KerasGraph.TensorRef, layer: String)]) {
    var used: Set<String> = []
    for (ref, layer) in refs {
      guard let value = values[ref] else {
        problems.append("model output \(ref) is never computed")
        continue
      }
      var name = layer
      var n = 1
      while used.contains(name) { name = "\(layer)_\(n)"; n += 1 }
      used.insert(name)
      graph.outputs.append((name, value.tensor))
    }
  }

  // MARK: Helpers shared by the layer emitters

  func single(_ inputs: [Value]) throws(Issue) -> Value {
    guard inputs.count == 1, let first = inputs.first else { throw Issue("expects one input, got \(inputs.count)") }
    return first
  }

  /// The float values and shape of a layer variable.
  func weight(_ layer: String, _ variable: String) throws(Issue) -> (values: [Float], shape: [Int]) {
    guard let index = weightIndex[layer]?[variable] else { throw Issue("variable '\(variable)' is missing from the weights file") }
    let tensor = model.tensors[index]
    guard tensor.dtype.isPlainDecodable, tensor.dtype.isFloatingPoint, let count = Shape.elementCount(tensor.shape),
      let needed = tensor.dtype.byteCount(elements: count), needed <= tensor.location.byteCount
    else { throw Issue("variable '\(variable)' is stored as \(tensor.dtype.rawValue), not a float type we convert") }
    var out = [Float](repeating: 0, count: count)
    out.withUnsafeMutableBufferPointer { buffer in
      FloatDecoding.decode(tensor.dtype, from: tensor.location.bytes, count: count, into: buffer)
    }
    return (out, tensor.shape)
  }

  func hasWeight(_ layer: String, _ variable: String) -> Bool { weightIndex[layer]?[variable] != nil }

  /// Records that graph tensor `tensor` holds `layer`'s `variable` (see ``ConvertedGraph/Tensor/source``).
  @discardableResult
  mutating func mark(_ tensor: Int, _ layer: String, _ variable: String) -> Int {
    if let index = weightIndex[layer]?[variable], tensor >= 0, tensor < graph.tensors.count {
      graph.tensors[tensor].source = model.tensors[index].name
    }
    return tensor
  }

  /// A new run-time tensor.
  mutating func output(_ name: String, _ shape: [Int]) -> Value {
    Value(tensor: graph.activation(name, shape: shape), shape: shape)
  }

  /// Appends a one-input op producing a tensor of `shape` (default: the input's).
  mutating func unary(_ code: Int32, _ input: Value, _ name: String, shape: [Int]? = nil, options: OpOptions? = nil,
                      extra: [Int] = []) -> Value {
    let out = output(name, shape ?? input.shape)
    graph.append(code, [input.tensor] + extra, [out.tensor], options: options)
    return out
  }

  /// Appends an elementwise binary op with NumPy broadcasting.
  mutating func binary(_ code: Int32, _ a: Value, _ b: Value, _ name: String, options: OpOptions?) throws(Issue) -> Value {
    let shape = try KerasTFLiteConverter.broadcast(a.shape, b.shape)
    let out = output(name, shape)
    graph.append(code, [a.tensor, b.tensor], [out.tensor], options: options)
    return out
  }

  /// A float constant as a value (for elementwise ops).
  mutating func constant(_ name: String, _ floats: [Float], shape: [Int]) -> Value {
    Value(tensor: graph.constant(name, shape: shape, floats: floats), shape: shape)
  }

  /// RESHAPE to `shape` (batch written as −1 so the batch stays dynamic).
  mutating func reshape(_ input: Value, to shape: [Int], _ name: String) -> Value {
    let target = [Int32(-1)] + shape.dropFirst().map { Int32(truncatingIfNeeded: $0) }
    let shapeTensor = graph.constant(name + "/shape", int32s: target)
    return unary(ConvertedOps.reshape, input, name, shape: shape, options: nil, extra: [shapeTensor])
  }

  /// Window sizes, strides, dilations, paddings and factors from a config: small non-negative
  /// numbers, so shape arithmetic cannot overflow.
  static func bounded(_ values: [Int], _ what: String, minimum: Int = 1) throws(Issue) -> [Int] {
    guard values.allSatisfy({ $0 >= minimum && $0 <= 1 << 16 }) else { throw Issue("\(what) \(values) is out of range") }
    return values
  }

  /// A dimension as the int32 TFLite stores.
  static func int32(_ value: Int) throws(Issue) -> Int32 {
    guard let v = Int32(exactly: value) else { throw Issue("dimension \(value) does not fit in int32") }
    return v
  }

  static func broadcast(_ a: [Int], _ b: [Int]) throws(Issue) -> [Int] {
    let rank = max(a.count, b.count)
    let pa = [Int](repeating: 1, count: rank - a.count) + a, pb = [Int](repeating: 1, count: rank - b.count) + b
    var out: [Int] = []
    for (x, y) in zip(pa, pb) {
      guard x == y || x == 1 || y == 1 else { throw Issue("shapes \(Shape.describe(a)) and \(Shape.describe(b)) do not broadcast") }
      out.append(max(x, y))
    }
    return out
  }

  /// A negative axis counted from the end; nil when out of range.
  static func axis(_ value: Int, rank: Int) -> Int? {
    let axis = value < 0 ? value + rank : value
    return axis >= 0 && axis < rank ? axis : nil
  }
}

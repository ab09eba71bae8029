/// A model's computation graph in format-neutral terms: tensors, ops in execution order, and the
/// graph's inputs and outputs. Formats that have a graph (TFLite) build one so the evaluator can run
/// the model; weight-only formats leave ``Model/graph`` nil.
public struct ModelGraph: Sendable {
  /// A value an op's attribute holds (strides, padding, axis, flags …).
  public enum Attribute: Sendable, Hashable {
    case int(Int)
    case float(Float)
    case string(String)
    case ints([Int])
    case bool(Bool)
  }

  /// Where a constant tensor's values come from.
  public enum Constant: Sendable {
    /// An index into ``Model/tensors`` (decoded and, for weights, replaced by a plan's scheme).
    case modelTensor(Int)
    /// Small data held in the graph itself (shape vectors, axes), already converted to Float.
    case inline([Float])
  }

  public struct Tensor: Sendable {
    public var name: String
    public var shape: [Int]
    /// The element type, nil for types without fixed-size elements (strings, resources).
    public var dtype: DType?
    public var constant: Constant?
    /// Stored quantization parameters (integer tensors).
    public var quantization: StoredQuantization?
    /// How a sparse constant's stored values map into `shape` (nil: stored dense).
    public var sparsity: Sparsity?

    public init(
      name: String, shape: [Int], dtype: DType?, constant: Constant? = nil, quantization: StoredQuantization? = nil,
      sparsity: Sparsity? = nil
    ) {
      self.name = name; self.shape = shape; self.dtype = dtype; self.constant = constant; self.quantization = quantization
      self.sparsity = sparsity
    }
  }

  public struct Op: Sendable {
    /// The op's type as the format names it ("CONV_2D").
    public var type: String
    /// Tensor ids; -1 marks an omitted optional input.
    public var inputs: [Int]
    public var outputs: [Int]
    public var attributes: [String: Attribute]

    public init(type: String, inputs: [Int], outputs: [Int], attributes: [String: Attribute] = [:]) {
      self.type = type; self.inputs = inputs; self.outputs = outputs; self.attributes = attributes
    }

    public func int(_ key: String, default value: Int = 0) -> Int {
      switch attributes[key] {
      case let .int(v)?: return v
      case let .bool(b)?: return b ? 1 : 0
      default: return value
      }
    }

    public func float(_ key: String, default value: Float = 0) -> Float {
      if case let .float(v)? = attributes[key] { return v }
      return value
    }

    public func bool(_ key: String, default value: Bool = false) -> Bool {
      switch attributes[key] {
      case let .bool(b)?: return b
      case let .int(v)?: return v != 0
      default: return value
      }
    }

    public func ints(_ key: String) -> [Int]? {
      if case let .ints(v)? = attributes[key] { return v }
      return nil
    }

    public func string(_ key: String) -> String? {
      if case let .string(v)? = attributes[key] { return v }
      return nil
    }
  }

  /// A named graph input or output (the signature name where the format has one).
  public struct Endpoint: Sendable, Hashable {
    public var name: String
    public var tensor: Int
    public init(name: String, tensor: Int) { self.name = name; self.tensor = tensor }
  }

  public var tensors: [Tensor]
  /// Ops in an order where every op comes after the producers of its inputs.
  public var ops: [Op]
  public var inputs: [Endpoint]
  public var outputs: [Endpoint]

  public init(tensors: [Tensor], ops: [Op], inputs: [Endpoint], outputs: [Endpoint]) {
    self.tensors = tensors; self.ops = ops; self.inputs = inputs; self.outputs = outputs
  }

  /// The graph tensors whose values are the model tensor `index`.
  public func graphTensors(ofModelTensor index: Int) -> [Int] {
    tensors.indices.filter { t in
      if case let .modelTensor(m)? = tensors[t].constant { return m == index }
      return false
    }
  }
}

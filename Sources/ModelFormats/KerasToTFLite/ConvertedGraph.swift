import TensorCore

/// A TFLite main subgraph under construction: tensors (constants carry their values), operators in
/// execution order, and the signature's named inputs and outputs. The converter emits plain ops
/// first; ``ConvertedGraph/optimize()`` then folds and fuses the way the TF converter does, and
/// ``ConvertedGraph/serialize(description:)`` turns the result into .tflite bytes.
struct ConvertedGraph {
  /// Constant data, kept typed until serialization so folding can edit it.
  enum Data {
    case floats([Float])
    case int32s([Int32])
  }

  struct Tensor {
    var name: String
    /// Static shape with batch 1.
    var shape: [Int]
    /// Whether dimension 0 is the dynamic batch (written as −1 in `shape_signature`).
    var dynamicBatch: Bool
    var type: TFLiteSchema.TensorType
    var data: Data?
    /// The Keras variable this constant holds ("fc1/kernel"), transposed or folded as the op needs:
    /// the converted model shows it under that name, so plans made on the Keras model apply.
    var source: String? = nil
    /// A state tensor the op reads and writes in place (an LSTM's output and cell state): no data,
    /// buffer 0, `is_variable` set.
    var isVariable = false
  }

  struct Op {
    var code: Int32
    var inputs: [Int]
    var outputs: [Int]
    /// BuiltinOptions union tag (0: none) and the options table.
    var optionsTag: UInt8
    var options: FlatBufferTable?
    /// Field id of `fused_activation_function` in `options`, for ops that have one.
    var fusedField: Int?
    /// The TF ops this op stands for (`model_1/layer_1/Relu6`, …), most recently fused first as
    /// the converter lists them; its output tensor is named after them, joined by ";".
    var location: [String] = []
    /// A MUL by a scalar constant that the converter folds into the weights of a FULLY_CONNECTED
    /// reading its result (a Bidirectional's `ave` merge), kept as a MUL before any other op.
    var scalesFollowingDense = false

    var fusedActivation: Int8 {
      guard let fusedField, let options else { return 0 }
      return options.int8(fusedField)
    }
  }

  var tensors: [Tensor] = []
  var ops: [Op] = []
  var inputs: [(name: String, tensor: Int)] = []
  var outputs: [(name: String, tensor: Int)] = []

  /// Adds a float32 constant.
  mutating func constant(_ name: String, shape: [Int], floats: [Float]) -> Int {
    tensors.append(Tensor(name: name, shape: shape, dynamicBatch: false, type: .float32, data: .floats(floats)))
    return tensors.count - 1
  }

  /// Adds an int32 constant (axes, shapes, paddings); a nil shape means a vector.
  mutating func constant(_ name: String, int32s: [Int32], shape: [Int]? = nil) -> Int {
    tensors.append(Tensor(name: name, shape: shape ?? [int32s.count], dynamicBatch: false, type: .int32,
                          data: .int32s(int32s)))
    return tensors.count - 1
  }

  /// Adds a tensor computed at run time; `dynamicBatch` false for shape arithmetic (no batch axis).
  mutating func activation(_ name: String, shape: [Int], type: TFLiteSchema.TensorType = .float32, dynamicBatch: Bool = true) -> Int {
    tensors.append(Tensor(name: name, shape: shape, dynamicBatch: dynamicBatch && !shape.isEmpty, type: type, data: nil))
    return tensors.count - 1
  }

  /// Adds a float32 state tensor (zero at start, updated by the op that reads it).
  mutating func variable(_ name: String, shape: [Int]) -> Int {
    tensors.append(Tensor(name: name, shape: shape, dynamicBatch: false, type: .float32, data: nil, isVariable: true))
    return tensors.count - 1
  }

  /// Appends an op. `options` is (union tag, table, fused-activation field id); the location
  /// defaults to the first output's name.
  mutating func append(_ code: Int32, _ inputs: [Int], _ outputs: [Int], options: OpOptions? = nil, location: [String]? = nil) {
    let fallback = outputs.first.flatMap { $0 >= 0 && $0 < tensors.count ? [tensors[$0].name] : nil } ?? []
    ops.append(Op(code: code, inputs: inputs, outputs: outputs, optionsTag: options?.tag ?? 0,
                  options: options?.table, fusedField: options?.fusedField, location: location ?? fallback))
  }

  /// Float values of a constant tensor, or nil.
  func floats(_ tensor: Int) -> [Float]? {
    guard tensor >= 0, tensor < tensors.count, case let .floats(values)? = tensors[tensor].data else { return nil }
    return values
  }

  /// Tensors read by ops or named as graph outputs, counted per use.
  func useCounts() -> [Int] {
    var counts = [Int](repeating: 0, count: tensors.count)
    for op in ops { for t in op.inputs where t >= 0 && t < counts.count { counts[t] += 1 } }
    for output in outputs where output.tensor < counts.count { counts[output.tensor] += 1 }
    return counts
  }
}

/// An op's BuiltinOptions: the union tag, the table, and where its fused activation lives.
struct OpOptions {
  var tag: UInt8
  var table: FlatBufferTable
  var fusedField: Int?

  /// Builds an options table from (field id, value, byte size) scalars.
  init(_ type: String, tag: UInt8, fusedField: Int? = nil, scalars: [(Int, Int64, Int)] = [],
       vectors: [(Int, [Int32])] = []) {
    var table = FlatBufferTable(type: type)
    for (id, value, size) in scalars {
      table.setScalar(id, bits: UInt64(bitPattern: value) & OpOptions.mask(size), size: size)
    }
    for (id, values) in vectors {
      table.fields[id] = .vector(.owned(ConvertedGraph.bytes(values)), elementSize: 4, alignment: 4)
    }
    self.tag = tag; self.table = table; self.fusedField = fusedField
  }

  static func mask(_ size: Int) -> UInt64 { size >= 8 ? UInt64.max : (UInt64(1) << UInt64(size * 8)) - 1 }

  /// A float32 scalar field's bits.
  static func float(_ value: Float) -> Int64 { Int64(value.bitPattern) }
}

extension ConvertedGraph {
  static func bytes(_ values: [Int32]) -> [UInt8] {
    var out = [UInt8](); out.reserveCapacity(values.count * 4)
    for value in values { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
    return out
  }

  static func bytes(_ values: [Float]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: values.count * 4)
    out.withUnsafeMutableBytes { raw in
      for (i, value) in values.enumerated() { raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self) }
    }
    return out
  }
}

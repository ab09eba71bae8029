import TensorCore

/// What the serialized graph calls its tensors, the way the TF converter does, so a file reads the
/// same in Netron and `qscope inspect` whichever tool made it: an op's output is named after the TF
/// ops it stands for (`model_1/conv_1/Relu6;model_1/bn_1/batchnorm/add_1;…`), a bias folded into
/// it after the same list, graph outputs `StatefulPartitionedCall_1:k`, identical constants merged
/// into one `arith.constant`, and a repeated name gets a counter appended.
extension ConvertedGraph {
  /// Constants some op reads with the same type, shape and bytes, mapped to the first of them.
  func duplicateConstants() -> [Int: Int] {
    var read = [Bool](repeating: false, count: tensors.count)
    for op in ops { for t in op.inputs where t >= 0 && t < read.count { read[t] = true } }
    // Bucket by a hash of the raw bytes (no copies of the data), then compare bytes within a bucket.
    var buckets: [Int: [Int]] = [:]
    var canonical: [Int: Int] = [:]
    for (t, tensor) in tensors.enumerated() where read[t] && tensor.data != nil {
      var hasher = Hasher()
      hasher.combine(tensor.type.rawValue)
      hasher.combine(tensor.shape)
      withRawBytes(t) { hasher.combine(bytes: $0) }
      let key = hasher.finalize()
      if let match = buckets[key, default: []].first(where: { sameConstant($0, t) }) {
        canonical[t] = match
      } else {
        buckets[key, default: []].append(t)
      }
    }
    return canonical
  }

  func withRawBytes<R>(_ t: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    switch tensors[t].data {
    case let .floats(values)?: return values.withUnsafeBytes(body)
    case let .int32s(values)?: return values.withUnsafeBytes(body)
    case nil: return body(UnsafeRawBufferPointer(start: nil, count: 0))
    }
  }

  /// Same type, shape and bit-identical data (so 0 and −0 stay apart, NaNs compare by bits).
  func sameConstant(_ a: Int, _ b: Int) -> Bool {
    guard tensors[a].type == tensors[b].type, tensors[a].shape == tensors[b].shape else { return false }
    return withRawBytes(a) { x in withRawBytes(b) { y in x.count == y.count && x.elementsEqual(y) } }
  }

  /// Export names for the tensors in `order` (graph tensor indices), after merging `canonical`.
  func exportNames(order: [Int], canonical: [Int: Int]) -> [Int: String] {
    var names: [Int: String] = [:]
    for t in order { names[t] = tensors[t].name }
    var merged: Set<Int> = []
    for (duplicate, original) in canonical where tensors[duplicate].name != tensors[original].name { merged.insert(original) }
    var uses: [Int: Int] = [:]
    for op in ops { for t in op.inputs where t >= 0 { uses[canonical[t] ?? t, default: 0] += 1 } }
    for op in ops where !op.location.isEmpty {
      let joined = op.location.joined(separator: ";")
      for t in op.outputs { names[t] = joined }
      // A bias only this op reads is named after the op; a dense layer's without its MatMul.
      let biasSlot: Int? = switch op.code {
      case ConvertedOps.conv2D, ConvertedOps.depthwiseConv2D, ConvertedOps.fullyConnected: 2
      case ConvertedOps.transposeConv: 3
      default: nil
      }
      if let slot = biasSlot, slot < op.inputs.count, op.inputs[slot] >= 0 {
        let bias = canonical[op.inputs[slot]] ?? op.inputs[slot]
        if tensors[bias].data != nil, uses[bias] == 1, !merged.contains(bias) {
          let parts = op.code == ConvertedOps.fullyConnected ? op.location.filter { !$0.hasSuffix("/MatMul") } : op.location
          names[bias] = parts.isEmpty ? joined : parts.joined(separator: ";")
        }
      }
    }
    for t in merged { names[t] = "arith.constant" }
    for (k, output) in outputs.enumerated() { names[output.tensor] = "StatefulPartitionedCall_1:\(k)" }
    for input in inputs { names[input.tensor] = tensors[input.tensor].name }
    // Unique names in file order: a repeat gets 1, 2, … appended, as the converter's exporter does.
    var used: Set<String> = []
    for t in order {
      let base = names[t] ?? tensors[t].name
      var name = base
      var n = 1
      while used.contains(name) { name = base + String(n); n += 1 }
      used.insert(name)
      names[t] = name
    }
    return names
  }

  /// The `CONVERSION_METADATA` buffer (its own small FlatBuffer, `conversion_metadata.fbs`): the
  /// environment says the source was a Keras model. No TensorFlow version or model hash (none
  /// was involved) and no optimization modes (quantization happens after conversion).
  static func conversionMetadata() throws(FlatBufferError) -> [UInt8] {
    let schema = FlatBufferSchema(specs: [
      "ConversionMetadata": "T:Environment T:ConversionOptions",
      "Environment": "S 4 4 8",
      "ConversionOptions": "V4 1 1 1",
    ], unions: [:])
    var environment = FlatBufferTable(type: "Environment")
    environment.setScalar(2, bits: 2, size: 4)  // ModelType.KERAS_MODEL
    var options = FlatBufferTable(type: "ConversionOptions")
    options.setScalar(1, bits: 0, size: 1)  // allow_custom_ops: false, written as the converter does
    var root = FlatBufferTable(type: "ConversionMetadata")
    root.fields[0] = .table(environment)
    root.fields[1] = .table(options)
    var encoder = FlatBufferEncoder(schema: schema, source: UnsafeRawBufferPointer(start: nil, count: 0), capacity: 256)
    return try encoder.finish(root: root, identifier: "")
  }
}

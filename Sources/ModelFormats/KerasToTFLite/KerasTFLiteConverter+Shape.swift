import TensorCore

/// Pooling, reshaping, padding, resizing and embedding layers.
extension KerasTFLiteConverter {
  mutating func pool(_ className: String, _ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    let is1D = className.hasSuffix("1D")
    let code = className.hasPrefix("Max") ? ConvertedOps.maxPool : ConvertedOps.averagePool
    let padding = try KerasTFLiteConverter.padding(config)
    if is1D {
      guard input.rank == 3 else { throw Issue("expects a rank-3 input, got \(input.shape)") }
      let k = try KerasTFLiteConverter.bounded([config.ints("pool_size", count: 1)?.first ?? 2], "pool_size")[0]
      let s = try KerasTFLiteConverter.bounded([config.isNull("strides") ? k : (config.ints("strides", count: 1)?.first ?? k)], "strides")[0]
      let length = try KerasTFLiteConverter.outputSize(input.shape[1], kernel: k, stride: s, padding: padding)
      let op = code == ConvertedOps.maxPool ? "/MaxPool" : "/AvgPool"
      let expanded = reshape(input, to: [1, 1, input.shape[1], input.shape[2]], name + op + "/ExpandDims")
      let pooled = unary(code, expanded, name + op, shape: [1, 1, length, input.shape[2]],
                         options: ConvertedOps.pool(padding: padding, stride: (1, s), filter: (1, k)))
      return reshape(pooled, to: [1, length, input.shape[2]], name + op + "/Squeeze")
    }
    guard input.rank == 4 else { throw Issue("expects a rank-4 input, got \(input.shape)") }
    let k = try KerasTFLiteConverter.bounded(config.ints("pool_size", count: 2) ?? [2, 2], "pool_size")
    let s = try KerasTFLiteConverter.bounded(config.isNull("strides") ? k : (config.ints("strides", count: 2) ?? k), "strides")
    let oh = try KerasTFLiteConverter.outputSize(input.shape[1], kernel: k[0], stride: s[0], padding: padding)
    let ow = try KerasTFLiteConverter.outputSize(input.shape[2], kernel: k[1], stride: s[1], padding: padding)
    return unary(code, input, name + (code == ConvertedOps.maxPool ? "/MaxPool2d" : "/AvgPool"), shape: [1, oh, ow, input.shape[3]],
                 options: ConvertedOps.pool(padding: padding, stride: (s[0], s[1]), filter: (k[0], k[1])))
  }

  /// Global pooling → MEAN / REDUCE_MAX over the spatial axes.
  mutating func globalPool(_ className: String, _ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    let axes = className.hasSuffix("1D") ? [1] : [1, 2]
    guard input.rank == axes.count + 2 else { throw Issue("expects a rank-\(axes.count + 2) input, got \(input.shape)") }
    let keep = config.bool("keepdims") ?? false
    var shape = input.shape
    for axis in axes.reversed() { if keep { shape[axis] = 1 } else { shape.remove(at: axis) } }
    let code = className.contains("Max") ? ConvertedOps.reduceMax : ConvertedOps.mean
    let op = name + (code == ConvertedOps.mean ? "/Mean" : "/Max")
    let axesTensor = graph.constant(op + "/reduction_indices", int32s: axes.map { Int32($0) })
    return unary(code, input, op, shape: shape, options: ConvertedOps.reducer(keepDims: keep), extra: [axesTensor])
  }

  /// Flatten → RESHAPE to [batch, N], the batch read at run time as the converter lowers Keras'
  /// `reshape(x, (shape(x)[0], -1))`: SHAPE, STRIDED_SLICE, PACK, RESHAPE.
  mutating func flatten(_ name: String, _ input: Value) throws(Issue) -> Value {
    guard input.rank > 2 else { return input }
    guard let count = Shape.elementCount(Array(input.shape.dropFirst())) else { throw Issue("shape \(input.shape) overflows") }
    return try batchReshape(input, to: [count], name)
  }

  /// RESHAPE to [batch] + `dims` with the batch taken from the input's run-time shape.
  mutating func batchReshape(_ input: Value, to dims: [Int], _ name: String) throws(Issue) -> Value {
    let target = try batchShape(of: input, dims, scope: name, packed: name + "/Reshape/shape")
    return unary(ConvertedOps.reshape, input, name + "/Reshape", shape: [1] + dims, options: nil, extra: [target])
  }

  /// The int32 tensor [batch] + `dims`, the batch read from `input`'s run-time shape (SHAPE,
  /// STRIDED_SLICE, PACK under `scope`; the packed vector is called `packed`).
  mutating func batchShape(of input: Value, _ dims: [Int], scope name: String, packed: String) throws(Issue) -> Int {
    var sizes: [Int32] = []
    for dim in dims { sizes.append(try KerasTFLiteConverter.int32(dim)) }
    let shape = graph.activation(name + "/Shape", shape: [input.rank], type: .int32, dynamicBatch: false)
    graph.append(ConvertedOps.shape, [input.tensor], [shape], options: ConvertedOps.shapeOptions())
    let begin = graph.constant(name + "/strided_slice/stack", int32s: [0])
    let end = graph.constant(name + "/strided_slice/stack_1", int32s: [1])
    let stride = graph.constant(name + "/strided_slice/stack_2", int32s: [1])
    let batch = graph.activation(name + "/strided_slice", shape: [], type: .int32, dynamicBatch: false)
    graph.append(ConvertedOps.stridedSlice, [shape, begin, end, stride], [batch], options: ConvertedOps.stridedSliceOptions(shrinkAxisMask: 1))
    var parts = [batch]
    for (i, size) in sizes.enumerated() { parts.append(graph.constant(packed + "/\(i + 1)", int32s: [size], shape: [])) }
    let target = graph.activation(packed, shape: [parts.count], type: .int32, dynamicBatch: false)
    graph.append(ConvertedOps.pack, parts, [target], options: ConvertedOps.packOptions(count: parts.count, axis: 0))
    return target
  }

  mutating func reshapeLayer(_ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    guard let target = config.json["target_shape"]?.arrayValue?.map({ $0.intValue ?? -1 }) else {
      throw Issue("no target_shape")
    }
    guard let total = Shape.elementCount(Array(input.shape.dropFirst())) else { throw Issue("shape \(input.shape) overflows") }
    var dims = target
    guard let known = Shape.elementCount(dims.filter { $0 > 0 }) else { throw Issue("target_shape \(target) overflows") }
    let unknown = dims.indices.filter { dims[$0] <= 0 }
    if unknown.count == 1, known > 0, total % known == 0 { dims[unknown[0]] = total / known }
    guard dims.allSatisfy({ $0 > 0 }), Shape.elementCount(dims) == total else {
      throw Issue("target_shape \(target) cannot hold input \(input.shape)")
    }
    return try batchReshape(input, to: dims, name)
  }

  mutating func permute(_ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    guard let dims = config.json["dims"]?.arrayValue?.compactMap(\.intValue), dims.count == input.rank - 1,
      Set(dims) == Set(1..<input.rank)
    else { throw Issue("dims do not permute the \(input.rank - 1) non-batch axes") }
    let perm = [0] + dims
    let permTensor = graph.constant(name + "/transpose/perm", int32s: perm.map { Int32($0) })
    return unary(ConvertedOps.transpose, input, name + "/transpose", shape: perm.map { input.shape[$0] },
                 options: ConvertedOps.transposeOptions(), extra: [permTensor])
  }

  mutating func zeroPadding(_ className: String, _ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    let spatial = className.hasSuffix("1D") ? 1 : 2
    guard input.rank == spatial + 2 else { throw Issue("expects a rank-\(spatial + 2) input, got \(input.shape)") }
    var pads: [(Int, Int)] = []
    let value = config.json["padding"] ?? .number("1")
    if let n = value.intValue {
      pads = [(Int, Int)](repeating: (n, n), count: spatial)
    } else if let items = value.arrayValue {
      if spatial == 1, items.count == 2, let a = items[0].intValue, let b = items[1].intValue {
        pads = [(a, b)]
      } else if items.count == spatial {
        for item in items {
          if let n = item.intValue { pads.append((n, n)) }
          else if let pair = item.arrayValue?.compactMap(\.intValue), pair.count == 2 { pads.append((pair[0], pair[1])) }
        }
      }
    }
    guard pads.count == spatial, pads.allSatisfy({ $0.0 >= 0 && $0.1 >= 0 && $0.0 <= 1 << 16 && $0.1 <= 1 << 16 }) else { throw Issue("padding \(value.displayText ?? "?") is not understood") }
    var flat: [Int32] = [0, 0]
    var shape = input.shape
    for (i, pad) in pads.enumerated() {
      flat += [Int32(truncatingIfNeeded: pad.0), Int32(truncatingIfNeeded: pad.1)]
      shape[i + 1] += pad.0 + pad.1
    }
    flat += [0, 0]
    let padTensor = graph.constant(name + "/Pad/paddings", int32s: flat, shape: [input.rank, 2])
    return unary(ConvertedOps.pad, input, name + "/Pad", shape: shape, options: ConvertedOps.padOptions(), extra: [padTensor])
  }

  mutating func upSampling(_ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    guard input.rank == 4 else { throw Issue("expects a rank-4 input, got \(input.shape)") }
    let size = try KerasTFLiteConverter.bounded(config.ints("size", count: 2) ?? [2, 2], "size")
    let shape = [1, input.shape[1] * size[0], input.shape[2] * size[1], input.shape[3]]
    let sizeTensor = graph.constant(name + "/resize/size", int32s: [try KerasTFLiteConverter.int32(shape[1]), try KerasTFLiteConverter.int32(shape[2])])
    switch config.string("interpolation") ?? "nearest" {
    case "nearest":
      return unary(ConvertedOps.resizeNearest, input, name + "/resize/ResizeNearestNeighbor", shape: shape, options: ConvertedOps.resizeNearestOptions(), extra: [sizeTensor])
    case "bilinear":
      return unary(ConvertedOps.resizeBilinear, input, name + "/resize/ResizeBilinear", shape: shape, options: ConvertedOps.resizeBilinear(halfPixel: true),
                   extra: [sizeTensor])
    case let other:
      throw Issue("interpolation '\(other)' is not converted (nearest and bilinear are)")
    }
  }

  /// Embedding → GATHER on axis 0 (float inputs are cast to int32 first, as Keras does).
  mutating func embedding(_ layer: String, _ name: String, _ input: Value) throws(Issue) -> Value {
    let table = try weight(layer, "embeddings")
    guard table.shape.count == 2 else { throw Issue("embeddings have shape \(table.shape), expected [vocab, dim]") }
    var indices = input
    if graph.tensors[input.tensor].type == .float32 {
      indices = Value(tensor: graph.activation(name + "/Cast", shape: input.shape, type: .int32), shape: input.shape)
      graph.append(ConvertedOps.cast, [input.tensor], [indices.tensor], options: ConvertedOps.castOptions())
    }
    let params = mark(graph.constant(name + "/GatherV2", shape: table.shape, floats: table.values), layer, "embeddings")
    let out = output(name + "/GatherV2", input.shape + [table.shape[1]])
    graph.append(ConvertedOps.gather, [params, indices.tensor], [out.tensor], options: ConvertedOps.gather(axis: 0))
    return out
  }
}

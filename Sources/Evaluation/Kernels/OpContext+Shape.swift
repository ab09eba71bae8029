import TensorCore

extension OpContext {
  /// RESHAPE to input 1 (or the new_shape option). A leading 1 becomes the batch size when the
  /// graph was built for one sample and runs on a batch.
  func reshape() throws(EvaluationError) -> EvalTensor {
    let x = try input(0)
    var target: [Int]
    if let shape = try optionalInput(1) { target = shape.ints } else if let option = op.ints("new_shape") { target = option } else {
      throw fail("no target shape")
    }
    return EvalTensor(shape: try resolve(target, count: x.count), data: x.data)
  }

  func resolve(_ target: [Int], count: Int) throws(EvaluationError) -> [Int] {
    var shape = target
    let unknown = shape.indices.filter { shape[$0] < 0 }
    guard unknown.count <= 1 else { throw fail("target shape \(target) has more than one -1") }
    let known = shape.filter { $0 >= 0 }.reduce(1, *)
    if let u = unknown.first {
      guard known > 0, count % known == 0 else { throw fail("cannot reshape \(count) values to \(target)") }
      shape[u] = count / known
    } else if known != count, let first = shape.first, first == 1, shape.count > 1 {
      let rest = shape.dropFirst().reduce(1, *)
      if rest > 0, count % rest == 0 { shape[0] = count / rest }
    }
    guard shape.reduce(1, *) == count else { throw fail("cannot reshape \(count) values to \(target)") }
    return shape
  }

  func squeeze() throws(EvaluationError) -> EvalTensor {
    let x = try input(0)
    var dims = Set<Int>()
    for d in op.ints("squeeze_dims") ?? [] { dims.insert(try axis(d, rank: x.rank)) }
    let shape = x.shape.enumerated().filter { d, size in size != 1 || (!dims.isEmpty && !dims.contains(d)) }.map(\.element)
    return EvalTensor(shape: shape, data: x.data)
  }

  func expandDims() throws(EvaluationError) -> EvalTensor {
    let x = try input(0)
    guard let raw = try input(1).ints.first else { throw fail("no axis") }
    let a = raw < 0 ? raw + x.rank + 1 : raw
    guard a >= 0, a <= x.rank else { throw fail("axis \(raw) is out of range") }
    var shape = x.shape
    shape.insert(1, at: a)
    return EvalTensor(shape: shape, data: x.data)
  }

  /// Splits a shape around `axis` into (outer, axis size, inner) element counts.
  static func around(_ shape: [Int], _ axis: Int) -> (outer: Int, size: Int, inner: Int) {
    (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
  }

  func concatenation() throws(EvaluationError) -> EvalTensor {
    var parts: [EvalTensor] = []
    for slot in 0..<inputCount { parts.append(try input(slot)) }
    guard let first = parts.first else { throw fail("no inputs") }
    let a = try axis(op.int("axis"), rank: first.rank)
    for p in parts where p.rank != first.rank || p.shape.enumerated().contains(where: { $0 != a && $1 != first.shape[$0] }) {
      throw fail("input shapes \(parts.map(\.shape)) do not concatenate on axis \(a)")
    }
    var shape = first.shape
    shape[a] = parts.reduce(0) { $0 + $1.shape[a] }
    let (outer, _, inner) = OpContext.around(shape, a)
    var out: [Float] = []
    out.reserveCapacity(shape.reduce(1, *))
    for o in 0..<outer {
      for p in parts {
        let length = p.shape[a] * inner
        out.append(contentsOf: p.data[(o * length)..<((o + 1) * length)])
      }
    }
    var result = EvalTensor(shape: shape, data: out)
    Activation.apply(activation, to: &result.data)
    return result
  }

  func pack() throws(EvaluationError) -> EvalTensor {
    var parts: [EvalTensor] = []
    for slot in 0..<inputCount { parts.append(try input(slot)) }
    guard let first = parts.first, parts.allSatisfy({ $0.shape == first.shape }) else { throw fail("inputs differ in shape") }
    let raw = op.int("axis")
    let a = raw < 0 ? raw + first.rank + 1 : raw
    guard a >= 0, a <= first.rank else { throw fail("axis \(raw) is out of range") }
    var shape = first.shape
    shape.insert(parts.count, at: a)
    let inner = first.shape[a...].reduce(1, *), outer = first.shape[..<a].reduce(1, *)
    var out: [Float] = []
    for o in 0..<outer { for p in parts { out.append(contentsOf: p.data[(o * inner)..<((o + 1) * inner)]) } }
    return EvalTensor(shape: shape, data: out)
  }

  func split() throws(EvaluationError) -> [EvalTensor] {
    let x = try input(1)
    guard let raw = try input(0).ints.first else { throw fail("no axis") }
    let a = try axis(raw, rank: x.rank)
    let pieces = max(op.int("num_splits", default: op.outputs.count), 1)
    guard x.shape[a] % pieces == 0 else { throw fail("dimension \(x.shape[a]) does not split into \(pieces)") }
    let (outer, size, inner) = OpContext.around(x.shape, a)
    let step = size / pieces
    var shape = x.shape
    shape[a] = step
    return (0..<pieces).map { piece in
      var out: [Float] = []
      out.reserveCapacity(outer * step * inner)
      for o in 0..<outer {
        let start = (o * size + piece * step) * inner
        out.append(contentsOf: x.data[start..<(start + step * inner)])
      }
      return EvalTensor(shape: shape, data: out)
    }
  }

  func gather() throws(EvaluationError) -> EvalTensor {
    let params = try input(0)
    let indices = try input(1)
    let a = try axis(op.int("axis"), rank: params.rank)
    let (outer, size, inner) = OpContext.around(params.shape, a)
    var out: [Float] = []
    out.reserveCapacity(outer * indices.count * inner)
    for o in 0..<outer {
      for raw in indices.ints {
        let i = raw < 0 ? raw + size : raw
        guard i >= 0, i < size else { throw fail("index \(raw) is out of range for dimension \(size)") }
        let start = (o * size + i) * inner
        out.append(contentsOf: params.data[start..<(start + inner)])
      }
    }
    let shape = Array(params.shape[..<a]) + indices.shape + Array(params.shape[(a + 1)...])
    return EvalTensor(shape: shape, data: out)
  }

  func transpose() throws(EvaluationError) -> EvalTensor {
    let x = try input(0)
    let perm = try input(1).ints
    guard perm.count == x.rank, Set(perm) == Set(0..<x.rank) else { throw fail("permutation \(perm) does not fit rank \(x.rank)") }
    let shape = perm.map { x.shape[$0] }
    let strides = Shape.strides(x.shape)
    return EvalTensor(shape: shape, data: gatherStrided(x, shape: shape, start: 0, steps: perm.map { strides[$0] }))
  }

  /// Reads x at start + Σ index[d]·steps[d] for every index of `shape`.
  func gatherStrided(_ x: EvalTensor, shape: [Int], start: Int, steps: [Int]) -> [Float] {
    let total = shape.reduce(1, *)
    var out = [Float](repeating: 0, count: total)
    guard total > 0 else { return out }
    var index = [Int](repeating: 0, count: shape.count)
    var offset = start
    for flat in 0..<total {
      out[flat] = x.data[offset]
      var d = shape.count - 1
      while d >= 0 {
        index[d] += 1
        offset += steps[d]
        if index[d] < shape[d] { break }
        offset -= steps[d] * index[d]
        index[d] = 0
        d -= 1
      }
    }
    return out
  }

  func slice() throws(EvaluationError) -> EvalTensor {
    let x = try input(0)
    let begin = try input(1).ints, size = try input(2).ints
    guard begin.count == x.rank, size.count == x.rank else { throw fail("begin/size do not fit rank \(x.rank)") }
    var shape: [Int] = []
    for d in 0..<x.rank {
      let length = size[d] < 0 ? x.shape[d] - begin[d] : size[d]
      guard begin[d] >= 0, length >= 0, begin[d] + length <= x.shape[d] else { throw fail("slice is out of range on axis \(d)") }
      shape.append(length)
    }
    let strides = Shape.strides(x.shape)
    let start = zip(begin, strides).reduce(0) { $0 + $1.0 * $1.1 }
    return EvalTensor(shape: shape, data: gatherStrided(x, shape: shape, start: start, steps: strides))
  }

  func stridedSlice() throws(EvaluationError) -> EvalTensor {
    let x = try input(0)
    let begin = try input(1).ints, end = try input(2).ints
    let steps = try optionalInput(3)?.ints ?? [Int](repeating: 1, count: begin.count)
    guard begin.count == end.count, begin.count == steps.count, begin.count <= x.rank else {
      throw fail("begin/end/strides do not fit rank \(x.rank)")
    }
    guard op.int("ellipsis_mask") == 0, op.int("new_axis_mask") == 0 else { throw fail("ellipsis and new-axis masks are not supported") }
    let beginMask = op.int("begin_mask"), endMask = op.int("end_mask"), shrink = op.int("shrink_axis_mask")
    let offset = op.bool("offset")
    let strides = Shape.strides(x.shape)
    var shape: [Int] = [], outShape: [Int] = [], steps2: [Int] = []
    var start = 0
    for d in 0..<x.rank {
      let size = x.shape[d]
      guard d < begin.count else { shape.append(size); outShape.append(size); steps2.append(strides[d]); continue }
      let step = steps[d]
      guard step != 0 else { throw fail("stride 0 on axis \(d)") }
      func clampIndex(_ v: Int, _ masked: Bool, isBegin: Bool) -> Int {
        if masked { return step > 0 ? (isBegin ? 0 : size) : (isBegin ? size - 1 : -1) }
        var i = v < 0 ? v + size : v
        i = step > 0 ? min(max(i, 0), size) : min(max(i, -1), size - 1)
        return i
      }
      var b = clampIndex(begin[d], beginMask & (1 << d) != 0, isBegin: true)
      var e: Int
      if shrink & (1 << d) != 0 {
        b = begin[d] < 0 ? begin[d] + size : begin[d]
        guard b >= 0, b < size else { throw fail("index \(begin[d]) is out of range on axis \(d)") }
        e = b + 1
      } else if offset {
        e = clampIndex(begin[d] + end[d], endMask & (1 << d) != 0, isBegin: false)
      } else {
        e = clampIndex(end[d], endMask & (1 << d) != 0, isBegin: false)
      }
      let length = step > 0 ? max(0, (e - b + step - 1) / step) : max(0, (b - e - step - 1) / -step)
      start += b * strides[d]
      shape.append(length); steps2.append(strides[d] * step)
      if shrink & (1 << d) == 0 { outShape.append(length) }
    }
    return EvalTensor(shape: outShape, data: gatherStrided(x, shape: shape, start: start, steps: steps2))
  }

  /// PAD / PADV2 (constant) and MIRROR_PAD (REFLECT = 0, SYMMETRIC = 1).
  func pad() throws(EvaluationError) -> EvalTensor {
    let x = try input(0)
    let paddings = try input(1).ints
    guard paddings.count == 2 * x.rank else { throw fail("paddings do not fit rank \(x.rank)") }
    let mirror = op.type == "MIRROR_PAD"
    let symmetric = op.int("mode") == 1
    let fill: Float = op.type == "PADV2" ? (try optionalInput(2)?.data.first ?? 0) : 0
    var shape = x.shape
    for d in 0..<x.rank {
      guard paddings[2 * d] >= 0, paddings[2 * d + 1] >= 0 else { throw fail("negative padding") }
      if mirror {
        let limit = symmetric ? x.shape[d] : x.shape[d] - 1
        guard paddings[2 * d] <= limit, paddings[2 * d + 1] <= limit else { throw fail("mirror padding larger than the input") }
      }
      shape[d] += paddings[2 * d] + paddings[2 * d + 1]
    }
    let total = shape.reduce(1, *)
    var out = [Float](repeating: fill, count: total)
    let inStrides = Shape.strides(x.shape)
    var index = [Int](repeating: 0, count: shape.count)
    for flat in 0..<total {
      var source = 0
      var inside = true
      for d in 0..<shape.count {
        var i = index[d] - paddings[2 * d]
        let size = x.shape[d]
        if i < 0 || i >= size {
          guard mirror else { inside = false; break }
          if i < 0 { i = symmetric ? -i - 1 : -i } else { i = symmetric ? 2 * size - i - 1 : 2 * size - i - 2 }
        }
        source += i * inStrides[d]
      }
      if inside { out[flat] = x.data[source] }
      var d = shape.count - 1
      while d >= 0 {
        index[d] += 1
        if index[d] < shape[d] { break }
        index[d] = 0
        d -= 1
      }
    }
    return EvalTensor(shape: shape, data: out)
  }

  /// RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR to input 1 = [height, width].
  func resize() throws(EvaluationError) -> EvalTensor {
    let x = try input(0)
    try requireRank(x, 4, "input")
    let size = try input(1).ints
    guard size.count == 2, size[0] > 0, size[1] > 0 else { throw fail("size \(size) is not [height, width]") }
    let (batch, height, width, channels) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (outH, outW) = (size[0], size[1])
    let align = op.bool("align_corners"), half = op.bool("half_pixel_centers")
    func scale(_ input: Int, _ output: Int) -> Float {
      align && output > 1 ? Float(input - 1) / Float(output - 1) : Float(input) / Float(output)
    }
    let sy = scale(height, outH), sx = scale(width, outW)
    var out = [Float](repeating: 0, count: batch * outH * outW * channels)
    let nearest = op.type == "RESIZE_NEAREST_NEIGHBOR"
    for b in 0..<batch {
      for oy in 0..<outH {
        for ox in 0..<outW {
          let dst = ((b * outH + oy) * outW + ox) * channels
          if nearest {
            let offset: Float = half ? 0.5 : 0
            func pick(_ o: Int, _ s: Float, _ limit: Int) -> Int {
              let v = (Float(o) + offset) * s
              let i = align ? Int(v.rounded(.toNearestOrAwayFromZero)) : Int(v.rounded(.down))
              return min(max(i, 0), limit - 1)
            }
            let iy = pick(oy, sy, height), ix = pick(ox, sx, width)
            let src = ((b * height + iy) * width + ix) * channels
            for c in 0..<channels { out[dst + c] = x.data[src + c] }
          } else {
            let fy = half ? (Float(oy) + 0.5) * sy - 0.5 : Float(oy) * sy
            let fx = half ? (Float(ox) + 0.5) * sx - 0.5 : Float(ox) * sx
            // LiteRT: lower index clamped at 0, upper = ceil clamped at the edge, weight from the lower index.
            let y0 = min(max(Int(fy.rounded(.down)), 0), height - 1), x0 = min(max(Int(fx.rounded(.down)), 0), width - 1)
            let y1 = min(max(Int(fy.rounded(.up)), 0), height - 1), x1 = min(max(Int(fx.rounded(.up)), 0), width - 1)
            let dy = fy - Float(y0), dx = fx - Float(x0)
            let y0c = y0, x0c = x0
            for c in 0..<channels {
              func v(_ y: Int, _ xx: Int) -> Float { x.data[((b * height + y) * width + xx) * channels + c] }
              let top = v(y0c, x0c) * (1 - dx) + v(y0c, x1) * dx
              let bottom = v(y1, x0c) * (1 - dx) + v(y1, x1) * dx
              out[dst + c] = top * (1 - dy) + bottom * dy
            }
          }
        }
      }
    }
    return EvalTensor(shape: [batch, outH, outW, channels], data: out)
  }
}

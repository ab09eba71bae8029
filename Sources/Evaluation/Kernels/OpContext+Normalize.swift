import Foundation
import TensorCore

extension OpContext {
  /// SOFTMAX along the last axis with `beta`.
  func softmax() throws(EvaluationError) -> EvalTensor {
    var x = try input(0)
    let beta = op.attributes["beta"] == nil ? 1 : op.float("beta")
    guard let last = x.shape.last, last > 0 else { return x }
    let rows = x.count / last
    x.data.withUnsafeMutableBufferPointer { buffer in
      for r in 0..<rows {
        let base = r * last
        var high = -Float.infinity
        for i in 0..<last { high = max(high, buffer[base + i]) }
        var sum: Float = 0
        for i in 0..<last {
          let e = expf((buffer[base + i] - high) * beta)
          buffer[base + i] = e
          sum += e
        }
        let inverse = 1 / sum
        for i in 0..<last { buffer[base + i] *= inverse }
      }
    }
    return x
  }

  /// L2_NORMALIZATION along the last axis.
  func l2Normalization() throws(EvaluationError) -> EvalTensor {
    var x = try input(0)
    guard let last = x.shape.last, last > 0 else { return x }
    for r in 0..<(x.count / last) {
      var sum: Float = 0
      for i in 0..<last { sum += x.data[r * last + i] * x.data[r * last + i] }
      let inverse = 1 / max(sqrtf(sum), 1e-6)
      for i in 0..<last { x.data[r * last + i] *= inverse }
    }
    Activation.apply(activation, to: &x.data)
    return x
  }

  /// MAX_POOL_2D and AVERAGE_POOL_2D (averages count only positions inside the input, as TFLite).
  func pool() throws(EvaluationError) -> EvalTensor {
    let x = try input(0)
    try requireRank(x, 4, "input")
    let (batch, height, width, channels) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let fh = op.int("filter_height", default: 1), fw = op.int("filter_width", default: 1)
    guard fh > 0, fw > 0 else { throw fail("filter size must be positive") }
    let p = try SpatialParams(self)
    let gy = ConvGeometry(input: height, filter: fh, stride: p.strideH, dilation: 1, same: p.same)
    let gx = ConvGeometry(input: width, filter: fw, stride: p.strideW, dilation: 1, same: p.same)
    let isMax = op.type == "MAX_POOL_2D"
    var out = [Float](repeating: 0, count: batch * gy.output * gx.output * channels)
    x.data.withUnsafeBufferPointer { xp in
      out.withUnsafeMutableBufferPointer { outp in
        Parallel.forRanges(batch * gy.output, minimum: 8) { range in
          var acc = [Float](repeating: 0, count: channels)
          for row in range {
            let b = row / gy.output, oy = row % gy.output
            for ox in 0..<gx.output {
              for c in 0..<channels { acc[c] = isMax ? -Float.infinity : 0 }
              var n = 0
              for ky in 0..<fh {
                let iy = oy * p.strideH - gy.padBefore + ky
                guard iy >= 0 && iy < height else { continue }
                for kx in 0..<fw {
                  let ix = ox * p.strideW - gx.padBefore + kx
                  guard ix >= 0 && ix < width else { continue }
                  n += 1
                  let src = ((b * height + iy) * width + ix) * channels
                  if isMax {
                    for c in 0..<channels { acc[c] = max(acc[c], xp[src + c]) }
                  } else {
                    for c in 0..<channels { acc[c] += xp[src + c] }
                  }
                }
              }
              let dst = ((b * gy.output + oy) * gx.output + ox) * channels
              let scale: Float = isMax ? 1 : 1 / Float(max(n, 1))
              for c in 0..<channels { outp[dst + c] = acc[c] * scale }
            }
          }
        }
      }
    }
    Activation.apply(activation, to: &out)
    return EvalTensor(shape: [batch, gy.output, gx.output, channels], data: out)
  }

  /// MEAN and SUM over the axes in input 1, with keep_dims.
  func reduce() throws(EvaluationError) -> EvalTensor {
    let x = try input(0)
    var axes = Set<Int>()
    for a in try input(1).ints { axes.insert(try axis(a, rank: x.rank)) }
    let keep = op.bool("keep_dims")
    var outShape: [Int] = []
    var kept: [Int] = []
    for (d, size) in x.shape.enumerated() {
      if axes.contains(d) { if keep { outShape.append(1) } } else { outShape.append(size); kept.append(d) }
    }
    let keptShape = kept.map { x.shape[$0] }
    let count = keptShape.reduce(1, *)
    var sums = [Double](repeating: 0, count: count)
    let strides = Shape.strides(x.shape)
    var index = [Int](repeating: 0, count: x.rank)
    for flat in 0..<x.count {
      var target = 0
      for d in kept { target = target * x.shape[d] + index[d] }
      sums[target] += Double(x.data[flat])
      var d = x.rank - 1
      while d >= 0 {
        index[d] += 1
        if index[d] < x.shape[d] { break }
        index[d] = 0
        d -= 1
      }
    }
    _ = strides
    let reduced = max(1, x.count / max(count, 1))
    let divisor = op.type == "MEAN" ? Double(reduced) : 1
    return EvalTensor(shape: outShape, data: sums.map { Float($0 / divisor) })
  }
}

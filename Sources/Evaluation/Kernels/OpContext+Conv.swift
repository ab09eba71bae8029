extension OpContext {
  /// CONV_2D: input [n, h, w, c], filter [o, kh, kw, c], bias [o]; im2col per chunk of output
  /// pixels, then the blocked GEMM.
  func conv2D() throws(EvaluationError) -> EvalTensor {
    var x = try input(0)
    let f = try input(1)
    let bias = try optionalInput(2)
    try requireRank(x, 4, "input"); try requireRank(f, 4, "filter")
    let (batch, height, width, channels) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (outC, kh, kw, fc) = (f.shape[0], f.shape[1], f.shape[2], f.shape[3])
    guard fc > 0, channels % fc == 0 else { throw fail("filter depth \(fc) does not divide input depth \(channels)") }
    guard fc == channels else { throw fail("grouped convolution (filter depth \(fc), input depth \(channels)) is not supported") }
    if let bias, bias.count != outC { throw fail("bias has \(bias.count) values for \(outC) filters") }
    let p = try SpatialParams(self)
    let gy = ConvGeometry(input: height, filter: kh, stride: p.strideH, dilation: p.dilationH, same: p.same)
    let gx = ConvGeometry(input: width, filter: kw, stride: p.strideW, dilation: p.dilationW, same: p.same)
    if let hybrid {
      // XNNPACK (LiteRT's default CPU path) runs a 1×1 convolution as a fully connected layer and
      // quantizes each pixel as its own row; other convolutions quantize each image as one row.
      let rows = kh == 1 && kw == 1 && hybrid.perPixelPointwise ? x.count / max(channels, 1) : batch
      HybridQuantizer.fakeQuantize(&x.data, rows: rows, asymmetric: hybrid.asymmetric)
    }
    let k = kh * kw * channels
    let m = batch * gy.output * gx.output
    let packed = f.data.withUnsafeBufferPointer { PackedWeights(rowsOf: $0, n: outC, k: k) }
    var out = [Float](repeating: 0, count: m * outC)
    let pointwise = kh == 1 && kw == 1 && p.strideH == 1 && p.strideW == 1
    if pointwise {
      matmul(x.data, m: m, packed, bias: bias?.data, into: &out)
    } else {
      let biasData = bias?.data
      x.data.withUnsafeBufferPointer { xb in
        out.withUnsafeMutableBufferPointer { ob in
          guard let xp = xb.baseAddress, let op = ob.baseAddress else { return }
          let chunk = max(4, min(256, 32_768 / max(k, 1)))
          let chunks = (m + chunk - 1) / chunk
          Parallel.run(chunks) { c in
            let start = c * chunk, end = min(m, start + chunk)
            var columns = [Float](repeating: 0, count: (end - start) * k)
            columns.withUnsafeMutableBufferPointer { cb in
              guard let cp = cb.baseAddress else { return }
              for row in start..<end {
                let ox = row % gx.output, oy = (row / gx.output) % gy.output, b = row / (gx.output * gy.output)
                var dst = cp + (row - start) * k
                for ky in 0..<kh {
                  let iy = oy * p.strideH - gy.padBefore + ky * p.dilationH
                  for kx in 0..<kw {
                    let ix = ox * p.strideW - gx.padBefore + kx * p.dilationW
                    if iy >= 0 && iy < height && ix >= 0 && ix < width {
                      let src = xp + ((b * height + iy) * width + ix) * channels
                      dst.update(from: src, count: channels)
                    }
                    dst += channels
                  }
                }
              }
              let run = { (bp: UnsafePointer<Float>?) in
                Gemm.rows(UnsafePointer(cp) - start * k, start..<end, weights: packed, bias: bp, into: op)
              }
              if let biasData { biasData.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
            }
          }
        }
      }
    }
    Activation.apply(activation, to: &out)
    return EvalTensor(shape: [batch, gy.output, gx.output, outC], data: out)
  }

  /// DEPTHWISE_CONV_2D: input [n, h, w, c], filter [1, kh, kw, c·m], output channel oc reads input
  /// channel oc / m.
  func depthwiseConv2D() throws(EvaluationError) -> EvalTensor {
    var x = try input(0)
    let f = try input(1)
    let bias = try optionalInput(2)
    try requireRank(x, 4, "input"); try requireRank(f, 4, "filter")
    let (batch, height, width, channels) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (kh, kw, outC) = (f.shape[1], f.shape[2], f.shape[3])
    guard channels > 0, outC % channels == 0 else { throw fail("filter channels \(outC) are not a multiple of input depth \(channels)") }
    let multiplier = outC / channels
    if let bias, bias.count != outC { throw fail("bias has \(bias.count) values for \(outC) channels") }
    let p = try SpatialParams(self)
    let gy = ConvGeometry(input: height, filter: kh, stride: p.strideH, dilation: p.dilationH, same: p.same)
    let gx = ConvGeometry(input: width, filter: kw, stride: p.strideW, dilation: p.dilationW, same: p.same)
    if let hybrid { HybridQuantizer.fakeQuantize(&x.data, rows: batch, asymmetric: hybrid.asymmetric) }
    let biasData = bias?.data ?? [Float](repeating: 0, count: outC)
    var out = [Float](repeating: 0, count: batch * gy.output * gx.output * outC)
    x.data.withUnsafeBufferPointer { xb in
      f.data.withUnsafeBufferPointer { fb in
        biasData.withUnsafeBufferPointer { bb in
          out.withUnsafeMutableBufferPointer { ob in
            guard let xp = xb.baseAddress, let fp = fb.baseAddress, let bp = bb.baseAddress, let op = ob.baseAddress else { return }
            Parallel.forRanges(batch * gy.output, minimum: 4) { range in
              for rowIndex in range {
                let b = rowIndex / gy.output, oy = rowIndex % gy.output
                for ox in 0..<gx.output {
                  let dst = op + ((b * gy.output + oy) * gx.output + ox) * outC
                  dst.update(from: bp, count: outC)
                  for ky in 0..<kh {
                    let iy = oy * p.strideH - gy.padBefore + ky * p.dilationH
                    guard iy >= 0 && iy < height else { continue }
                    for kx in 0..<kw {
                      let ix = ox * p.strideW - gx.padBefore + kx * p.dilationW
                      guard ix >= 0 && ix < width else { continue }
                      let src = xp + ((b * height + iy) * width + ix) * channels
                      let w = fp + (ky * kw + kx) * outC
                      if multiplier == 1 {
                        for c in 0..<outC { dst[c] += src[c] * w[c] }
                      } else {
                        for c in 0..<outC { dst[c] += src[c / multiplier] * w[c] }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    Activation.apply(activation, to: &out)
    return EvalTensor(shape: [batch, gy.output, gx.output, outC], data: out)
  }

  /// TRANSPOSE_CONV: inputs (output_shape, filter [o, kh, kw, c], input [n, h, w, c], bias?).
  func transposeConv() throws(EvaluationError) -> EvalTensor {
    let shape = try input(0).ints
    let f = try input(1)
    var x = try input(2)
    let bias = try optionalInput(3)
    try requireRank(x, 4, "input"); try requireRank(f, 4, "filter")
    guard shape.count == 4 else { throw fail("output_shape \(shape) is not rank 4") }
    let (batch, height, width, channels) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (outC, kh, kw, fc) = (f.shape[0], f.shape[1], f.shape[2], f.shape[3])
    guard fc == channels, shape[3] == outC else { throw fail("filter \(f.shape) does not fit input \(x.shape)") }
    let outH = shape[1], outW = shape[2]
    guard outH >= 0, outW >= 0 else { throw fail("negative output size") }
    let p = try SpatialParams(self)
    // The forward convolution of the output would have produced the input: its padding applies here.
    let gy = ConvGeometry(input: outH, filter: kh, stride: p.strideH, dilation: 1, same: p.same)
    let gx = ConvGeometry(input: outW, filter: kw, stride: p.strideW, dilation: 1, same: p.same)
    if let hybrid { HybridQuantizer.fakeQuantize(&x.data, rows: batch, asymmetric: hybrid.asymmetric) }
    var out = [Float](repeating: 0, count: batch * outH * outW * outC)
    for b in 0..<batch {
      for iy in 0..<height {
        for ix in 0..<width {
          let src = ((b * height + iy) * width + ix) * channels
          for ky in 0..<kh {
            let oy = iy * p.strideH - gy.padBefore + ky
            guard oy >= 0 && oy < outH else { continue }
            for kx in 0..<kw {
              let ox = ix * p.strideW - gx.padBefore + kx
              guard ox >= 0 && ox < outW else { continue }
              let dst = ((b * outH + oy) * outW + ox) * outC
              for o in 0..<outC {
                var sum: Float = 0
                let w = ((o * kh + ky) * kw + kx) * channels
                for c in 0..<channels { sum += x.data[src + c] * f.data[w + c] }
                out[dst + o] += sum
              }
            }
          }
        }
      }
    }
    if let bias {
      guard bias.count == outC else { throw fail("bias has \(bias.count) values for \(outC) filters") }
      for i in out.indices { out[i] += bias.data[i % outC] }
    }
    Activation.apply(activation, to: &out)
    return EvalTensor(shape: [batch, outH, outW, outC], data: out)
  }
}

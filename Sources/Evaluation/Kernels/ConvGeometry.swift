/// Output size and leading padding of one spatial dimension, as TFLite computes them.
struct ConvGeometry {
  let output: Int
  let padBefore: Int

  init(input: Int, filter: Int, stride: Int, dilation: Int, same: Bool) {
    let effective = (filter - 1) * dilation + 1
    if same {
      output = (input + stride - 1) / stride
      let total = max((output - 1) * stride + effective - input, 0)
      padBefore = total / 2
    } else {
      output = max(0, (input - effective + stride) / stride)
      padBefore = 0
    }
  }
}

/// Shared reading of spatial op attributes.
struct SpatialParams {
  var strideH: Int, strideW: Int, dilationH: Int, dilationW: Int, same: Bool

  init(_ op: OpContext) throws(EvaluationError) {
    strideH = op.op.int("stride_h", default: 1); strideW = op.op.int("stride_w", default: 1)
    dilationH = op.op.int("dilation_h_factor", default: 1); dilationW = op.op.int("dilation_w_factor", default: 1)
    same = (op.op.string("padding") ?? "SAME") == "SAME"
    guard strideH > 0, strideW > 0, dilationH > 0, dilationW > 0 else {
      throw op.fail("strides and dilations must be positive")
    }
  }
}

@testable import Evaluation
import Testing
import TensorCore

@Suite struct ConvOpTests {
  /// Direct NHWC convolution, written independently of the im2col kernel.
  static func referenceConv(
    _ x: EvalTensor, _ f: EvalTensor, bias: [Float], stride: Int, same: Bool
  ) -> EvalTensor {
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (o, kh, kw) = (f.shape[0], f.shape[1], f.shape[2])
    let oh = same ? (h + stride - 1) / stride : (h - kh) / stride + 1
    let ow = same ? (w + stride - 1) / stride : (w - kw) / stride + 1
    let padH = same ? max((oh - 1) * stride + kh - h, 0) / 2 : 0
    let padW = same ? max((ow - 1) * stride + kw - w, 0) / 2 : 0
    var out = [Float](repeating: 0, count: n * oh * ow * o)
    for b in 0..<n { for y in 0..<oh { for xx in 0..<ow { for oc in 0..<o {
      var s = bias[oc]
      for ky in 0..<kh { for kx in 0..<kw {
        let iy = y * stride - padH + ky, ix = xx * stride - padW + kx
        guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
        for ic in 0..<c { s += x.data[((b * h + iy) * w + ix) * c + ic] * f.data[((oc * kh + ky) * kw + kx) * c + ic] }
      } }
      out[((b * oh + y) * ow + xx) * o + oc] = s
    } } } }
    return T([n, oh, ow, o], out)
  }

  static func values(_ count: Int, seed: Int) -> [Float] {
    (0..<count).map { Float(((($0 + 1) * (seed * 7919 + 104_729)) % 2001) - 1000) / 1000 }
  }

  @Test(arguments: [(1, true), (2, true), (1, false), (2, false)])
  func conv2DMatchesDirectLoops(stride: Int, same: Bool) throws {
    let x = T([3, 7, 6, 5], Self.values(3 * 7 * 6 * 5, seed: 1))
    let f = T([19, 3, 3, 5], Self.values(19 * 45, seed: 2))
    let bias = Self.values(19, seed: 3)
    let out = try OpHarness.one("CONV_2D", [x, f, T([19], bias)], attributes: [
      "stride_h": .int(stride), "stride_w": .int(stride), "padding": .string(same ? "SAME" : "VALID"),
    ])
    let expected = Self.referenceConv(x, f, bias: bias, stride: stride, same: same)
    #expect(out.shape == expected.shape)
    #expect(close(out.data, expected.data, 1e-4))
  }

  @Test func pointwiseConvAndFusedRelu6() throws {
    let x = T([1, 2, 2, 2], [1, 2, 3, 4, -1, -2, 5, 6])
    let f = T([2, 1, 1, 2], [1, 1, 2, -1])
    let out = try OpHarness.one("CONV_2D", [x, f, nil], attributes: ["fused_activation_function": .string("RELU6")])
    // [1+2, 2-2] [3+4, 6-4] [-3, 0] [11, 4] → clamped to [0, 6].
    #expect(out.data == [3, 0, 6, 2, 0, 0, 6, 4])
  }

  @Test func depthwiseWithMultiplier() throws {
    // One 3×3 image, 1 channel, multiplier 2; filter [1, 2, 2, 2], VALID.
    let x = T([1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9])
    let f = T([1, 2, 2, 2], [1, 0, 0, 1, 0, 1, 1, 0])
    let out = try OpHarness.one("DEPTHWISE_CONV_2D", [x, f, T([2], [10, 20])], attributes: ["padding": .string("VALID")])
    #expect(out.shape == [1, 2, 2, 2])
    // channel 0: x[0,0]+x[1,1]; channel 1: x[0,1]+x[1,0].
    #expect(out.data == [16, 26, 18, 28, 22, 32, 24, 34])
  }

  @Test func transposeConvScattersStride2() throws {
    let x = T([1, 1, 2, 1], [1, 2])
    let f = T([1, 1, 2, 1], [1, 10])
    let out = try OpHarness.one("TRANSPOSE_CONV", [T([4], [1, 1, 4, 1]), f, x], attributes: [
      "padding": .string("VALID"), "stride_w": .int(2), "stride_h": .int(1),
    ])
    #expect(out.data == [1, 10, 2, 20])
  }

  @Test func poolsAverageOnlyInsideTheImage() throws {
    let x = T([1, 2, 2, 1], [1, 2, 3, 4])
    let attributes: [String: ModelGraph.Attribute] = [
      "filter_height": .int(3), "filter_width": .int(3), "padding": .string("SAME"),
    ]
    let avg = try OpHarness.one("AVERAGE_POOL_2D", [x], attributes: attributes)
    #expect(avg.data == [2.5, 2.5, 2.5, 2.5])
    let max = try OpHarness.one("MAX_POOL_2D", [x], attributes: attributes)
    #expect(max.data == [4, 4, 4, 4])
  }
}

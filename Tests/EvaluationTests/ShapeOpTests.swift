@testable import Evaluation
import TensorCore
import Testing

@Suite struct ShapeOpTests {
  let x = T([2, 3], [1, 2, 3, 4, 5, 6])

  @Test func reshapeSqueezeExpand() throws {
    #expect(try OpHarness.one("RESHAPE", [x, T([2], [3, -1])]).shape == [3, 2])
    // A graph built for batch 1 runs on a batch: the leading 1 becomes the batch size.
    #expect(try OpHarness.one("RESHAPE", [T([4, 2, 3], Array(repeating: 0, count: 24)), T([2], [1, 6])]).shape == [4, 6])
    #expect(try OpHarness.one("RESHAPE", [x], attributes: ["new_shape": .ints([6])]).shape == [6])
    #expect(throws: EvaluationError.self) { try OpHarness.one("RESHAPE", [x, T([1], [4])]) }
    #expect(try OpHarness.one("SQUEEZE", [T([1, 2, 1], [1, 2])]).shape == [2])
    #expect(try OpHarness.one("SQUEEZE", [T([1, 2, 1], [1, 2])], attributes: ["squeeze_dims": .ints([-1])]).shape == [1, 2])
    #expect(try OpHarness.one("EXPAND_DIMS", [x, T([1], [-1])]).shape == [2, 3, 1])
  }

  @Test func concatenatePackSplit() throws {
    let c = try OpHarness.one("CONCATENATION", [x, T([2, 1], [7, 8])], attributes: ["axis": .int(1)])
    #expect(c.shape == [2, 4] && c.data == [1, 2, 3, 7, 4, 5, 6, 8])
    let p = try OpHarness.one("PACK", [T([2], [1, 2]), T([2], [3, 4])], attributes: ["axis": .int(1)])
    #expect(p.shape == [2, 2] && p.data == [1, 3, 2, 4])
    let s = try OpHarness.run("SPLIT", [T([1], [1]), T([2, 4], [1, 2, 3, 4, 5, 6, 7, 8])], outputs: 2,
                              attributes: ["num_splits": .int(2)])
    #expect(s.map(\.data) == [[1, 2, 5, 6], [3, 4, 7, 8]])
  }

  @Test func transposeSliceStridedSlice() throws {
    let t = try OpHarness.one("TRANSPOSE", [x, T([2], [1, 0])])
    #expect(t.shape == [3, 2] && t.data == [1, 4, 2, 5, 3, 6])
    let s = try OpHarness.one("SLICE", [x, T([2], [0, 1]), T([2], [-1, 2])])
    #expect(s.shape == [2, 2] && s.data == [2, 3, 5, 6])
    let ss = try OpHarness.one("STRIDED_SLICE", [x, T([2], [0, 2]), T([2], [2, -4]), T([2], [1, -1])])
    #expect(ss.shape == [2, 3] && ss.data == [3, 2, 1, 6, 5, 4])
    let shrink = try OpHarness.one("STRIDED_SLICE", [x, T([2], [1, 0]), T([2], [2, 3]), T([2], [1, 1])],
                                   attributes: ["shrink_axis_mask": .int(1)])
    #expect(shrink.shape == [3] && shrink.data == [4, 5, 6])
    let masked = try OpHarness.one("STRIDED_SLICE", [x, T([2], [5, 1]), T([2], [0, 3]), T([2], [1, 2])],
                                   attributes: ["begin_mask": .int(1), "end_mask": .int(1)])
    #expect(masked.data == [2, 5])
    #expect(try OpHarness.one("SHAPE", [x]).data == [2, 3])
  }

  @Test func gather() throws {
    let g = try OpHarness.one("GATHER", [x, T([2], [1, 0])], attributes: ["axis": .int(1)])
    #expect(g.shape == [2, 2] && g.data == [2, 1, 5, 4])
    #expect(throws: EvaluationError.self) { try OpHarness.one("GATHER", [x, T([1], [5])]) }
  }

  @Test func pads() throws {
    let row = T([1, 3], [1, 2, 3])
    let pads = T([4], [0, 0, 2, 1])
    #expect(try OpHarness.one("PAD", [row, pads]).data == [0, 0, 1, 2, 3, 0])
    #expect(try OpHarness.one("MIRROR_PAD", [row, pads], attributes: ["mode": .int(0)]).data == [3, 2, 1, 2, 3, 2])
    #expect(try OpHarness.one("MIRROR_PAD", [row, pads], attributes: ["mode": .int(1)]).data == [2, 1, 1, 2, 3, 3])
  }

  @Test func resize() throws {
    let image = T([1, 1, 2, 1], [0, 1])
    let size = T([2], [1, 4])
    #expect(try OpHarness.one("RESIZE_NEAREST_NEIGHBOR", [image, size]).data == [0, 0, 1, 1])
    #expect(try OpHarness.one("RESIZE_BILINEAR", [image, size]).data == [0, 0.5, 1, 1])
    let half = try OpHarness.one("RESIZE_BILINEAR", [image, size], attributes: ["half_pixel_centers": .bool(true)])
    #expect(half.data == [0, 0.25, 0.75, 1])
    let aligned = try OpHarness.one("RESIZE_BILINEAR", [image, T([2], [1, 3])], attributes: ["align_corners": .bool(true)])
    #expect(aligned.data == [0, 0.5, 1])
  }

  @Test func unknownOpNamesItself() {
    #expect(throws: EvaluationError.unsupportedOp(op: "LSTM", index: 0)) { try OpHarness.one("LSTM", [x]) }
  }
}

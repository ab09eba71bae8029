import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// Shape rules of grouped and transposed convolutions, and the op version a grouped conv needs.
@Suite struct KerasToTFLiteLayerTests {
  @Test func transposedOutputFollowsKerasWithAndWithoutOutputPadding() throws {
    func size(_ n: Int, _ k: Int, _ s: Int, _ op: Int?, same: Bool) throws -> Int {
      try KerasTFLiteConverter.transposedSize(n, kernel: k, stride: s, outputPadding: op, same: same)
    }
    #expect(try size(5, 3, 2, nil, same: true) == 10)
    #expect(try size(5, 2, 3, nil, same: false) == 15)  // n·s + max(k − s, 0)
    #expect(try size(5, 3, 2, 1, same: true) == 10)  // (n − 1)·s + k − 2·(k/2) + 1
    #expect(try size(5, 3, 2, 0, same: true) == 9)
    #expect(try size(5, 3, 3, 2, same: false) == 17)
    #expect(try size(5, 2, 2, 1, same: false) == 11)
    #expect(throws: KerasTFLiteConverter.Issue.self) { try size(5, 3, 2, 2, same: true) }  // not below the stride
  }

  @Test func groupsMustSplitInputsAndFiltersEvenly() throws {
    let four = LayerConfig(json: .object([.init(key: "groups", value: .number("4"), offset: 0)]))
    try KerasTFLiteConverter.checkGroups(four, kernelDepth: 2, inputDepth: 8, filters: 12)
    #expect(throws: KerasTFLiteConverter.Issue.self) {
      try KerasTFLiteConverter.checkGroups(four, kernelDepth: 2, inputDepth: 8, filters: 10)
    }
    #expect(throws: KerasTFLiteConverter.Issue.self) {
      try KerasTFLiteConverter.checkGroups(four, kernelDepth: 3, inputDepth: 8, filters: 12)
    }
  }

  @Test func groupedConvIsVersionSixAndNeedsRuntime2_9() throws {
    var g = ConvertedGraph()
    let x = g.activation("x", shape: [1, 3, 3, 4])
    let w = g.constant("w", shape: [6, 1, 1, 2], floats: (0..<12).map(Float.init))
    let b = g.constant("b", shape: [6], floats: [Float](repeating: 0.5, count: 6))
    let out = g.activation("out", shape: [1, 3, 3, 6])
    g.append(ConvertedOps.conv2D, [x, w, b], [out], options: ConvertedOps.conv2D(padding: 0, stride: (1, 1), dilation: (1, 1)))
    g.inputs = [("x", x)]
    g.outputs = [("y", out)]
    let bytes = try g.serialize(description: "test")
    let file = try TFLiteFile.parse(file: MappedFile(bytes: bytes, name: "g.tflite"), path: "g.tflite")
    #expect(file.operatorCodes.map(\.version) == [6])
    #expect(file.minRuntimeVersion == "2.9.0")
  }
}

import Foundation
import Testing
import TensorCore
@testable import ModelFormats

@Suite struct KerasBadInputTests {
  func failure(_ name: String) throws -> String {
    try failure(path: KerasTestSupport.fixture(name))
  }

  func failure(path: String) -> String {
    do {
      _ = try KerasFormat.open(path: path)
    } catch {
      return error.description
    }
    Issue.record("\(path) opened although it is broken")
    return ""
  }

  @Test func notAZip() throws {
    let message = try failure("not-zip.keras")
    #expect(message.contains("not-zip.keras"))
    #expect(message.contains("not a zip"))
  }

  @Test func missingMembersAreNamed() throws {
    #expect(try failure("no-config.keras").contains("config.json"))
    #expect(try failure("no-weights.keras").contains("model.weights.h5"))
  }

  @Test func corruptWeightsMemberIsReportedWithoutHDF5Noise() throws {
    let message = try failure("corrupt-weights.keras")
    #expect(message.contains("corrupt-weights.keras"))
    #expect(message.contains("model.weights.h5"))
  }

  @Test func truncatedH5IsAnError() throws {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: KerasTestSupport.fixture("seq-dense.h5")))
    for length in [4, 8, 700, bytes.count / 2] {
      let path = KerasTestSupport.temporaryPath("cut.h5")
      try bytes.prefix(length).write(to: URL(fileURLWithPath: path))
      #expect(failure(path: path).contains("cut.h5"), "a \(length)-byte prefix")
    }
  }

  @Test func layerWhoseWeightsAreMissingIsListedWithAWarning() throws {
    let model = try KerasTestSupport.open("missing-layer.keras")
    #expect(model.layers.map(\.name) == ["hidden", "out"])
    #expect(model.layers[1].tensorIndices.isEmpty)
    #expect(model.notes.contains { $0.contains("'out'") && $0.contains("layers/dense_1") })
  }

  @Test func unknownLayerClassStillShowsItsWeights() throws {
    let model = try KerasTestSupport.open("unknown-layer.keras")
    #expect(model.layers[0].kind == "MyLayer (unknown)")
    #expect(model.layers[0].tensorIndices.count == 2)
    #expect(model.tensors[0].shape == [4, 3])
    let decision = KerasFormat.canStore(KerasTestSupport.int8PerColumn, tensor: model.tensors[0], in: model)
    #expect(!decision.isStorable)
  }
}

import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// The converted model names each LSTM gate matrix after the Keras variable it was cut from
/// (`lstm_0/cell/kernel` for the four input-to-gate matrices), so plans made on the Keras model
/// reach them; the file keeps the converter's names.
@Suite struct KerasToTFLiteLSTMNamesTests {
  /// The names of each LSTM op's weight group in the converted model, op by op.
  static func groupNames(_ fixture: String) throws -> (model: Model, groups: [[String]]) {
    let model = try KerasToTFLite.convertedModel(try KerasTestSupport.open(fixture), name: "converted.tflite")
    let groups = TFLiteFormat.jointGroups(in: model).map { $0.members.map { model.tensors[$0].name } }
    return (model, groups)
  }

  @Test("LSTM: four gate matrices per Keras kernel and recurrent kernel, four gate biases per Keras bias")
  func singleLSTM() throws {
    let (model, groups) = try Self.groupNames("lstm_small.keras")
    #expect(groups.map { $0.sorted() } == [Array(repeating: "lstm_0/cell/kernel", count: 4) + Array(repeating: "lstm_0/cell/recurrent_kernel", count: 4)])
    let keras = try KerasTestSupport.open("lstm_small.keras")
    let kernel = try #require(keras.tensors.first { $0.name == "lstm_0/cell/kernel" })
    let gates = model.tensors.filter { $0.name == "lstm_0/cell/kernel" }
    // The gates together hold the kernel's elements, transposed per gate.
    #expect(gates.map(\.elementCount).reduce(0, +) == kernel.elementCount)
    #expect(gates.allSatisfy { $0.shape == [kernel.shape[1] / 4, kernel.shape[0]] })
    #expect(model.tensors.filter { $0.name == "lstm_0/cell/bias" }.count == 4)
    // The group names the Keras variables a plan has to cover.
    let group = try #require(TFLiteFormat.jointGroups(in: model).first)
    #expect(group.name == "UNIDIRECTIONAL_SEQUENCE_LSTM #0 (lstm_0/cell/kernel, lstm_0/cell/recurrent_kernel)")
    let problem = group.problems { model.tensors[$0].name == "lstm_0/cell/kernel" }.values.first
    #expect(problem?.contains("(lstm_0/cell/kernel, lstm_0/cell/recurrent_kernel)'s 8 weights are quantized together and the plan re-encodes 4") == true)
    // The written file keeps the converter's names.
    let bytes = try KerasToTFLite.convert(keras)
    let file = try TFLiteFile.parse(file: MappedFile(bytes: bytes, name: "f.tflite"), path: "f.tflite")
    #expect(!file.subgraphs[0].tensors.contains { $0.name.hasPrefix("lstm_0/cell/") })
  }

  @Test("stacked LSTMs: each op's group carries its own layer's names")
  func stacked() throws {
    let (_, groups) = try Self.groupNames("lstm_stack.keras")
    #expect(groups.count == 2)
    let layers = groups.map { Set($0.map { $0.split(separator: "/").first.map(String.init) ?? "" }) }
    #expect(layers.allSatisfy { $0.count == 1 })
    #expect(Set(layers.flatMap { $0 }).count == 2)
  }

  @Test("Bidirectional (.keras and legacy .h5): the backward op's weights carry the backward cell's names", arguments: ["bilstm_last.keras", "bilstm_last.h5"])
  func bidirectional(fixture: String) throws {
    let (_, groups) = try Self.groupNames(fixture)
    #expect(groups.count == 2)
    let (backward, forward) = (try #require(groups.first), try #require(groups.last))
    #expect(backward.allSatisfy { $0.hasPrefix("bi_0/backward_") } && forward.allSatisfy { $0.hasPrefix("bi_0/forward_") })
    #expect(Set(backward).count == 2 && Set(forward).count == 2)
    #expect(backward.filter { $0.hasSuffix("/kernel") }.count == 4 && backward.filter { $0.hasSuffix("/recurrent_kernel") }.count == 4)
  }
}

extension KerasToTFLiteLSTMNamesTests {
  @Test("a group whose members repeat (mapped onto rows that stand for several tensors) counts each once")
  func repeatedMembers() {
    let group = JointTensorGroup(name: "UNIDIRECTIONAL_SEQUENCE_LSTM #0", members: [3, 3, 3, 3, 5, 5, 5, 5], accepted: "int8-tensor")
    let problems = group.problems { $0 == 3 }
    #expect(problems.keys.sorted() == [3])
    #expect(problems[3]?.contains("2 weights are quantized together and the plan re-encodes 1") == true)
    #expect(group.problems { _ in true }.isEmpty)
  }
}

extension KerasToTFLiteLSTMNamesTests {
  @Test("legacy .h5 (lstm_0/lstm_cell/kernel): the gates carry the names the .h5 model lists")
  func legacyH5() throws {
    let keras = try KerasTestSupport.open("lstm_small.h5")
    let names = Set(keras.tensors.map(\.name))
    let (_, groups) = try Self.groupNames("lstm_small.h5")
    let group = try #require(groups.first)
    #expect(groups.count == 1 && group.count == 8)
    #expect(Set(group).count == 2 && Set(group).isSubset(of: names), "\(group)")
  }
}

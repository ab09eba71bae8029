import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// Keras → TFLite conversion checked against the TF converter's own float files for the same
/// models (committed beside them), read back with our TFLite reader.
@Suite struct KerasToTFLiteTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

  static func converted(_ relative: String) throws -> TFLiteFile {
    let model = try KerasFormat.open(path: path(relative))
    let bytes = try KerasToTFLite.convert(model)
    return try TFLiteFile.parse(file: MappedFile(bytes: bytes, name: relative + ".tflite"), path: relative + ".tflite")
  }

  /// (op name, version) in execution order.
  static func ops(_ file: TFLiteFile) -> [String] {
    file.subgraphs[0].operators.map { op in
      let code = file.operatorCodes[op.opcodeIndex]
      return "\(code.name) v\(code.version)"
    }
  }

  /// The float values of input `slot` of every op named `name`, in op order.
  static func constants(_ file: TFLiteFile, op name: String, slot: Int) -> [[Float]] {
    let sg = file.subgraphs[0]
    return sg.operators.compactMap { op -> [Float]? in
      guard file.operatorCodes[op.opcodeIndex].name == name, slot < op.inputs.count, op.inputs[slot] >= 0 else { return nil }
      let tensor = sg.tensors[op.inputs[slot]]
      let range = file.buffers[tensor.buffer]
      guard let bytes = try? file.file.slice(offset: range.offset, count: range.count) else { return nil }
      return FloatDecoding.decode(.f32, from: bytes, count: range.count / 4)
    }
  }

  static func maxDifference(_ a: [[Float]], _ b: [[Float]]) -> Float {
    zip(a, b).map { x, y in zip(x, y).map { abs($0 - $1) }.max() ?? 0 }.max() ?? .infinity
  }

  @Test func branchyHasTheConvertersOpsAndFoldedWeights() throws {
    let ours = try Self.converted("Tests/Interop/fixtures/branchy/branchy.keras")
    let reference = try TFLiteFile.parse(path: Self.path("Tests/Interop/fixtures/branchy/float.tflite"))
    // Same op choices and fusions: ADD+RELU6, CONV+RELU, BatchNormalization folded into `down`.
    #expect(Self.ops(ours) == Self.ops(reference))
    for (op, slot) in [("CONV_2D", 1), ("CONV_2D", 2), ("DEPTHWISE_CONV_2D", 1), ("DEPTHWISE_CONV_2D", 2),
                       ("FULLY_CONNECTED", 1), ("FULLY_CONNECTED", 2)] {
      let mine = Self.constants(ours, op: op, slot: slot), theirs = Self.constants(reference, op: op, slot: slot)
      #expect(mine.map(\.count) == theirs.map(\.count), "\(op) input \(slot)")
      #expect(Self.maxDifference(mine, theirs) < 1e-5, "\(op) input \(slot)")
    }
    let signature = try #require(ours.signatures.first)
    #expect(signature.key == "serving_default")
    #expect(signature.inputs.map(\.name) == ["image"])
    #expect(signature.outputs.map(\.name) == ["fc2"])
    #expect(ours.subgraphs[0].tensors[ours.subgraphs[0].inputs[0]].shape == [1, 16, 16, 3])
  }

  @Test func digitsCNNFoldsBatchNormAndFlattensWithTheConvertersShapeChain() throws {
    let ours = try Self.converted("SampleModels/digits-cnn.keras")
    #expect(Self.ops(ours) == [
      "CONV_2D v1", "DEPTHWISE_CONV_2D v1", "CONV_2D v1", "MAX_POOL_2D v1", "CONV_2D v1", "AVERAGE_POOL_2D v1",
      "SHAPE v1", "STRIDED_SLICE v1", "PACK v1", "RESHAPE v1", "FULLY_CONNECTED v1", "FULLY_CONNECTED v1", "SOFTMAX v1",
    ])
    let reference = try TFLiteFile.parse(path: Self.path("SampleModels/digits-cnn.tflite"))
    #expect(Self.ops(ours) == Self.ops(reference))
    // The converter's tensor names, for the same Keras model.
    #expect(ours.subgraphs[0].tensors.map(\.name).sorted() == reference.subgraphs[0].tensors.map(\.name).sorted())
    let mine = Self.constants(ours, op: "CONV_2D", slot: 1), theirs = Self.constants(reference, op: "CONV_2D", slot: 1)
    #expect(Self.maxDifference(mine, theirs) < 1e-5)
    #expect(Self.maxDifference(Self.constants(ours, op: "FULLY_CONNECTED", slot: 1),
                               Self.constants(reference, op: "FULLY_CONNECTED", slot: 1)) < 1e-6)
  }

  @Test func legacyH5ConvertsLikeTheKerasArchive() throws {
    let archive = try Self.converted("SampleModels/digits-cnn.keras"), legacy = try Self.converted("SampleModels/digits-cnn.h5")
    #expect(Self.ops(legacy) == Self.ops(archive))
    for op in ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"] {
      #expect(Self.maxDifference(Self.constants(legacy, op: op, slot: 1), Self.constants(archive, op: op, slot: 1)) == 0)
    }
  }

  @Test func convertedModelIsQuantizableWithTheTFLitePreset() throws {
    let keras = try KerasFormat.open(path: Self.path("SampleModels/digits-mlp.keras"))
    let model = try KerasToTFLite.convertedModel(keras, name: "digits-mlp (converted)")
    #expect(model.format == .tflite)
    let requests = TFLitePresets.dynamicRange(model)
    // fc1 (64×128) and fc2 (128×32) pass the 1024-element threshold; fc3 (32×10) stays float.
    #expect(requests.map { model.tensors[$0.tensorIndex].shape } == [[128, 64], [32, 128]])
    let (path, _) = try TFLiteTestSupport.write(model, requests, name: "mlp-default.tflite")
    let written = try TFLiteFile.parse(path: path)
    // One FULLY_CONNECTED operator code for all three, at the hybrid version, as the converter writes it.
    #expect(Self.ops(written) == ["SHAPE v1", "STRIDED_SLICE v1", "PACK v1", "RESHAPE v1", "FULLY_CONNECTED v12", "FULLY_CONNECTED v12", "FULLY_CONNECTED v12", "SOFTMAX v1"])
    let sg = written.subgraphs[0]
    #expect(sg.operators[4...6].map { sg.tensors[$0.inputs[1]].type } == [.int8, .int8, .float32])
  }

  @Test func nestedModelIsInlinedUnderItsScope() throws {
    let ours = try Self.converted("Tests/ModelFormatsTests/Fixtures/keras/functional-nested.keras")
    let names = ours.subgraphs[0].tensors.map(\.name)
    // The Sequential `block` (Dense `inner` + BatchNormalization `norm`) becomes one
    // FULLY_CONNECTED with the normalization folded in, named under the block's scope.
    #expect(names.contains { $0.contains("/block_1/inner_1/MatMul") && $0.contains("/block_1/norm_1/batchnorm/add_1") })
    #expect(Self.ops(ours).filter { $0.hasPrefix("FULLY_CONNECTED") }.count == 12)
    #expect(!Self.ops(ours).contains { $0.hasPrefix("MUL") || $0.hasPrefix("ADD") })
  }

  @Test func keras3SequentialFixtureConverts() throws {
    let ours = try Self.converted("Tests/ModelFormatsTests/Fixtures/keras/seq-dense.keras")
    #expect(Self.ops(ours).allSatisfy { $0.hasPrefix("FULLY_CONNECTED") || $0.hasPrefix("SOFTMAX") || $0.hasPrefix("RELU") })
    #expect(!ours.signatures[0].outputs.isEmpty)
  }

  func failure(_ relative: String) -> String {
    do {
      let model = try KerasFormat.open(path: Self.path(relative))
      _ = try KerasToTFLite.convert(model)
    } catch {
      return error.description
    }
    Issue.record("\(relative) converted although it should not")
    return ""
  }

  @Test func badModelsNameTheProblem() {
    let unknown = failure("Tests/ModelFormatsTests/Fixtures/keras/unknown-layer.keras")
    #expect(unknown.contains("cannot be converted") && unknown.contains("is not converted"))
    #expect(failure("Tests/ModelFormatsTests/Fixtures/keras/seq-dense.weights.h5").contains("no architecture"))
  }

  @Test func nonKerasModelIsRefused() throws {
    let model = try TFLiteFormat.open(path: Self.path("SampleModels/digits-mlp.tflite"))
    #expect(throws: FormatError.self) { _ = try KerasToTFLite.convert(model) }
  }
}

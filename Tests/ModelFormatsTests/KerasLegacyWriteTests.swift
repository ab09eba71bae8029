import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// Legacy `.h5` input written as a Keras 3 `.keras`: the same archive the `.keras` of the same model
/// gives (checked against Keras in Tests/Interop), or a clear refusal.
@Suite struct KerasLegacyWriteTests {
  func write(_ name: String, encoding: (ModelTensor) -> QuantEncoding?) throws -> Model {
    let model = try KerasTestSupport.open(name)
    let out = KerasTestSupport.temporaryPath("out.keras")
    let requests = model.tensors.indices.compactMap { index in
      encoding(model.tensors[index]).map { TensorWriteRequest(tensorIndex: index, encoding: $0) }
    }
    _ = try KerasFormat.write(model, requests: requests, provider: KerasTestSupport.unusedProvider, to: out, options: WriteOptions())
    return try KerasFormat.open(path: out)
  }

  static func int8(_ tensor: ModelTensor) -> QuantEncoding? {
    guard tensor.isQuantizable else { return nil }
    return tensor.channelAxis == 0 ? KerasTestSupport.int8PerRow : KerasTestSupport.int8PerColumn
  }

  func expectSameTensors(_ a: Model, _ b: Model) throws {
    #expect(a.tensors.map(\.name) == b.tensors.map(\.name))
    for tensor in b.tensors {
      let mine = try KerasTestSupport.tensor(a, tensor.name)
      #expect(mine.shape == tensor.shape && mine.dtype == tensor.dtype, "\(tensor.name)")
      #expect(mine.location.bytes.elementsEqual(tensor.location.bytes), "\(tensor.name)")
    }
    #expect(a.layers.map(\.name) == b.layers.map(\.name))
    #expect(a.layers.map(\.details) == b.layers.map(\.details))
  }

  @Test(arguments: ["seq-dense", "functional-nested"])
  func legacyH5WritesTheArchiveTheKerasFileGives(_ name: String) throws {
    let fromH5 = try write("\(name).h5", encoding: Self.int8)
    let fromKeras = try write("\(name).keras", encoding: Self.int8)
    #expect(fromH5.tensors.contains { $0.dtype == .i8 })
    try expectSameTensors(fromH5, fromKeras)
    let passthrough = try write("\(name).h5") { _ in .float32 }
    try expectSameTensors(passthrough, try KerasTestSupport.open("\(name).keras"))
    let config = try KerasArchive.open(path: passthrough.path).configBytes
    #expect(String(decoding: config, as: UTF8.self).contains("\"module\":"))
  }

  @Test(arguments: ["keras2-seq.h5", "keras2-flat.h5"])
  func keras2FilesConvertWithTheirWeightsInKeras3Groups(_ name: String) throws {
    let source = try KerasTestSupport.open(name)
    let written = try write(name, encoding: Self.int8)
    #expect(written.tensors.map(\.name).filter { !$0.hasSuffix("_scale") } == source.tensors.map(\.name))
    let int8Layers = Set(written.tensors.filter { $0.dtype == .i8 }.compactMap(\.layer))
    #expect(int8Layers == Set(source.tensors.filter { $0.isQuantizable && $0.op != "Conv1D" }.compactMap(\.layer)))
    for tensor in source.tensors where !int8Layers.contains(tensor.layer ?? "") {
      #expect(try KerasTestSupport.tensor(written, tensor.name).location.bytes.elementsEqual(tensor.location.bytes), "\(tensor.name)")
    }
    let archive = try KerasArchive.open(path: written.path)
    let config = String(decoding: archive.configBytes, as: UTF8.self)
    #expect(config.contains("\"module\":") && config.contains("QuantizedDTypePolicy"))
  }

  @Test func keras2FilesAndWrongExtensionsAreRefusedWithTheReason() throws {
    let old = try KerasTestSupport.open("keras2-nested.h5")
    guard case let .notStorable(reason) = KerasFormat.canStore(KerasTestSupport.int8PerColumn, tensor: old.tensors[0], in: old) else {
      Issue.record("Keras 2 .h5 with a nested model accepted"); return
    }
    #expect(reason.contains("Keras 2.21.0") && reason.contains("nests a model"))
    #expect(throws: FormatError.self) {
      _ = try KerasFormat.write(old, requests: [], provider: KerasTestSupport.unusedProvider,
                                to: KerasTestSupport.temporaryPath("old.keras"), options: WriteOptions())
    }
    let weightsOnly = try KerasTestSupport.open("seq-dense.weights.h5")
    #expect(!KerasFormat.canStore(.float32, tensor: weightsOnly.tensors[0], in: weightsOnly).isStorable)
    let model = try KerasTestSupport.open("seq-dense.h5")
    let out = KerasTestSupport.temporaryPath("q.h5")
    do {
      _ = try KerasFormat.write(model, requests: [], provider: KerasTestSupport.unusedProvider, to: out, options: WriteOptions())
      Issue.record("wrote a .keras archive under a .h5 name")
    } catch {
      #expect(error.description.contains(".keras"))
    }
    #expect(!FileManager.default.fileExists(atPath: out))
  }
}

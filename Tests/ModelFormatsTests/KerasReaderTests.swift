import Foundation
import Testing
import TensorCore
@testable import ModelFormats

@Suite struct KerasReaderTests {
  @Test func sequentialArchiveListsLayersInModelOrderWithKerasNames() throws {
    let model = try KerasTestSupport.open("seq-dense.keras")
    #expect(model.format == .keras)
    #expect(model.layers.map(\.name) == ["hidden", "out"])
    #expect(model.layers.map(\.kind) == ["Dense", "Dense"])
    #expect(model.layers[0].details.contains("units=3"))
    #expect(model.layers[0].details.contains("activation=relu"))
    #expect(model.tensors.map(\.name) == ["hidden/kernel", "hidden/bias", "out/kernel", "out/bias"])
    let kernel = try KerasTestSupport.tensor(model, "hidden/kernel")
    #expect(kernel.shape == [4, 3])
    #expect(kernel.dtype == .f32)
    #expect(kernel.channelAxis == 1)
    #expect(kernel.isQuantizable)
    #expect(kernel.role == .weight)
    #expect(try KerasTestSupport.tensor(model, "hidden/bias").isQuantizable == false)
  }

  @Test func archiveWeightsAreReadInPlaceFromTheMappedFile() throws {
    let path = try KerasTestSupport.fixture("seq-dense.keras")
    let model = try KerasFormat.open(path: path)
    for tensor in model.tensors {
      #expect(tensor.location.file.path == path)
      #expect(tensor.location.offset > 0)
    }
  }

  @Test func legacyAndWeightsOnlyFilesHoldTheSameValues() throws {
    let archive = try KerasTestSupport.open("seq-dense.keras")
    let legacy = try KerasTestSupport.open("seq-dense.h5")
    let weightsOnly = try KerasTestSupport.open("seq-dense.weights.h5")
    #expect(legacy.tensors.map(\.name) == archive.tensors.map(\.name))
    #expect(weightsOnly.tensors.map(\.name) == archive.tensors.map(\.name))
    for tensor in archive.tensors {
      let expected = KerasTestSupport.floats(tensor)
      #expect(KerasTestSupport.floats(try KerasTestSupport.tensor(legacy, tensor.name)) == expected)
      #expect(KerasTestSupport.floats(try KerasTestSupport.tensor(weightsOnly, tensor.name)) == expected)
    }
    #expect(weightsOnly.notes.contains { $0.contains("no architecture") })
    #expect(legacy.layers.map(\.kind) == ["Dense", "Dense"])
  }

  @Test func functionalModelFlattensNestedModelsAndSortsCountersNumerically() throws {
    let model = try KerasTestSupport.open("functional-nested.keras")
    let names = model.layers.map(\.name)
    #expect(Array(names.prefix(6)) == ["tokens", "embed", "conv", "pool", "block/inner", "block/norm"])
    #expect(Array(names.suffix(3)) == ["d8", "d9", "head"])
    #expect(try KerasTestSupport.tensor(model, "block/norm/moving_variance").role == .norm)
    let embed = try KerasTestSupport.tensor(model, "embed/embeddings")
    #expect(embed.shape == [16, 8])
    #expect(embed.channelAxis == 0)
    #expect(embed.role == .embedding)
    #expect(try KerasTestSupport.tensor(model, "conv/kernel").channelAxis == 2)
    // use_bias=False shifts nothing else: the head owns exactly one variable.
    let head = try #require(model.layers.last)
    #expect(head.tensorIndices.map { model.tensors[$0].name } == ["head/kernel"])
    // d0 is 8→4, later ones 4→2 then 2→2: a wrong group mapping (dense_10 vs dense_2) changes shapes.
    #expect(try KerasTestSupport.tensor(model, "d0/kernel").shape == [8, 4])
    #expect(try KerasTestSupport.tensor(model, "d1/kernel").shape == [4, 2])
  }

  @Test func filesWithoutNameAttributesResolveByClassCounter() throws {
    let named = try KerasTestSupport.open("functional-nested.keras")
    let unnamed = try KerasTestSupport.open("no-names.keras")
    #expect(unnamed.tensors.map(\.name) == named.tensors.map(\.name))
    for tensor in named.tensors {
      #expect(KerasTestSupport.floats(try KerasTestSupport.tensor(unnamed, tensor.name)) == KerasTestSupport.floats(tensor), "\(tensor.name)")
    }
  }

  @Test func halfPrecisionPoliciesKeepTheirStoredTypes() throws {
    let bf16 = try KerasTestSupport.tensor(KerasTestSupport.open("bf16.keras"), "half/kernel")
    let f16 = try KerasTestSupport.tensor(KerasTestSupport.open("f16.keras"), "half/kernel")
    #expect(bf16.dtype == .bf16)
    #expect(f16.dtype == .f16)
    #expect(bf16.byteCount == 24)
    // Glorot-uniform initial values for a 4→3 kernel lie within ±sqrt(6/7) ≈ 0.926; a misread
    // opaque type (wrong width or byte order) lands far outside.
    for values in [KerasTestSupport.floats(bf16), KerasTestSupport.floats(f16)] {
      #expect(values.allSatisfy { abs($0) <= 0.93 })
      #expect(values.contains { abs($0) > 0.05 })
    }
  }

  @Test func keras2LegacyLayoutWithFixedLengthNamesAndNestedModel() throws {
    let model = try KerasTestSupport.open("keras2-legacy.h5")
    #expect(model.tensors.map(\.name) == ["dense/kernel", "dense/bias", "sub/inner/kernel", "sub/inner/bias"])
    #expect(model.layers.map(\.name) == ["x", "dense", "sub/inner"])
    #expect(try KerasTestSupport.tensor(model, "sub/inner/kernel").op == "Dense")
    #expect(model.metadata.contains(MetadataEntry(key: "keras_version", value: "2.4.0")))
  }

  @Test func probeAcceptsHDF5AndKerasZipsOnly() throws {
    let hdf5: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
    let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0]
    hdf5.withUnsafeBytes { #expect(KerasFormat.probe(head: $0, path: "x.bin")) }
    zip.withUnsafeBytes { #expect(KerasFormat.probe(head: $0, path: "m.keras")) }
    zip.withUnsafeBytes { #expect(!KerasFormat.probe(head: $0, path: "m.zip")) }
  }

  @Test func snakeCaseMatchesKerasGroupNames() {
    #expect(KerasModelConfig.snakeCase("DepthwiseConv2D") == "depthwise_conv2d")
    #expect(KerasModelConfig.snakeCase("BatchNormalization") == "batch_normalization")
    #expect(KerasModelConfig.snakeCase("ReLU") == "re_lu")
    #expect(KerasModelConfig.snakeCase("LSTM") == "lstm")
    #expect(KerasModelConfig.snakeCase("GlobalAveragePooling1D") == "global_average_pooling1d")
  }
}

import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// Our int8 output against Keras' own `model.quantize("int8")` files (written by
/// scripts/make-keras-fixtures.py): EinsumDense scale layouts and bfloat16 layers.
@Suite struct KerasInt8ReferenceTests {
  /// Writes `source` in int8 and compares every tensor with `reference` by name, shape, type and bytes.
  func expectMatchesKeras(_ source: String, reference: String, skipped: Set<String> = []) throws {
    let model = try KerasTestSupport.open(source)
    let out = KerasTestSupport.temporaryPath("q.keras")
    _ = try KerasFormat.write(model, requests: KerasTestSupport.int8Requests(model), provider: KerasTestSupport.unusedProvider,
                              to: out, options: WriteOptions())
    let ours = try KerasFormat.open(path: out), keras = try KerasTestSupport.open(reference)
    #expect(ours.tensors.map(\.name) == keras.tensors.map(\.name))
    for theirs in keras.tensors {
      let mine = try KerasTestSupport.tensor(ours, theirs.name)
      #expect(mine.shape == theirs.shape, "\(theirs.name)")
      #expect(mine.dtype == theirs.dtype, "\(theirs.name)")
      #expect(mine.location.bytes.elementsEqual(theirs.location.bytes), "\(theirs.name) differs from Keras' bytes")
    }
    for (mine, theirs) in zip(ours.layers, keras.layers) where !skipped.contains(mine.name) {
      #expect(mine.details == theirs.details, "\(mine.name)")
    }
  }

  @Test func einsumDenseLayoutsEqualKerasQuantize() throws {
    try expectMatchesKeras("einsum.keras", reference: "einsum.int8.keras")
  }

  @Test func bfloat16LayersEqualKerasQuantize() throws {
    try expectMatchesKeras("bf16.keras", reference: "bf16.int8.keras")
    try expectMatchesKeras("half.keras", reference: "half.int8.keras")
  }

  @Test func einsumScaleShapesFollowTheEquation() throws {
    #expect(try KerasInt8Layout.einsum("abc,cd->abd", kernelShape: [4, 5]).scaleShape == [1, 1, 5])
    #expect(try KerasInt8Layout.einsum("ab,bc->ac", kernelShape: [8, 4]).scaleShape == [1, 4])
    let heads = try KerasInt8Layout.einsum("abc,cde->abde", kernelShape: [6, 2, 3])
    #expect(heads.scaleShape == [1, 1, 2, 3])
    #expect(heads.reducedAxes == [0] && heads.channelAxes == [1, 2])
    let transposed = try KerasInt8Layout.einsum("abc,dc->abd", kernelShape: [6, 5])
    #expect(transposed.scaleShape == [1, 1, 6] && transposed.reducedAxes == [1] && transposed.channelAxes == [0])
    #expect(try KerasInt8Layout.einsum("abde,dei->abi", kernelShape: [2, 3, 7]).scaleShape == [1, 1, 7])
  }

  @Test func einsumEquationsKerasCannotQuantizeAreRefusedWithTheReason() throws {
    #expect(throws: KerasInt8Layout.Refusal.self) { try KerasInt8Layout.einsum("...b,bc->...c", kernelShape: [4, 3]) }
    #expect(throws: KerasInt8Layout.Refusal.self) { try KerasInt8Layout.einsum("abc,bcd->ad", kernelShape: [3, 4, 5]) }
    #expect(throws: KerasInt8Layout.Refusal.self) { try KerasInt8Layout.einsum("ab,bc->ac", kernelShape: [4]) }
    let model = try KerasTestSupport.open("einsum.keras")
    let ellipsis = try KerasTestSupport.tensor(model, "ell/kernel")
    guard case let .notStorable(reason) = KerasFormat.canStore(KerasTestSupport.int8PerColumn, tensor: ellipsis, in: model) else {
      Issue.record("'...' equation accepted"); return
    }
    #expect(reason.contains("'...'"))
    let heads = try KerasTestSupport.tensor(model, "heads/kernel")
    #expect(KerasFormat.canStore(.linear(.init(bits: 8, qmin: -127, qmax: 127, granularity: .channel(axis: 2), asymmetric: false)),
                                 tensor: heads, in: model) == .storable)
    #expect(!KerasFormat.canStore(.linear(.init(bits: 8, qmin: -128, qmax: 127, granularity: .tensor, asymmetric: true)),
                                  tensor: heads, in: model).isStorable)
  }

  @Test func float16LayersAreRefusedAsKerasRefusesThem() throws {
    let model = try KerasTestSupport.open("f16.keras")
    let kernel = try KerasTestSupport.tensor(model, "half/kernel")
    guard case let .notStorable(reason) = KerasFormat.canStore(KerasTestSupport.int8PerColumn, tensor: kernel, in: model) else {
      Issue.record("float16 int8 accepted"); return
    }
    #expect(reason.contains("float16"))
  }

  @Test func float32PassthroughOfHalfModelsIsIdentical() throws {
    for name in ["bf16.keras", "f16.keras", "half.keras"] {
      let path = try KerasTestSupport.fixture(name)
      let model = try KerasFormat.open(path: path)
      let out = KerasTestSupport.temporaryPath("f.keras")
      let requests = model.tensors.indices.map { TensorWriteRequest(tensorIndex: $0, encoding: .float32) }
      let notes = try KerasFormat.write(model, requests: requests, provider: KerasTestSupport.unusedProvider, to: out, options: WriteOptions())
      #expect(notes.allSatisfy { $0.contains("dtype policy") }, "\(name)")
      let original = try KerasArchive.open(path: path), copy = try KerasArchive.open(path: out)
      #expect(copy.configBytes == original.configBytes)
      let a = original.weightsFile.bytes[original.weightsOffset..<(original.weightsOffset + original.weightsCount)]
      let b = copy.weightsFile.bytes[copy.weightsOffset..<(copy.weightsOffset + copy.weightsCount)]
      #expect(a.elementsEqual(b), "\(name)")
    }
  }
}

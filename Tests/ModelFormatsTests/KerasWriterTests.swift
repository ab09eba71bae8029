import Foundation
import Testing
import TensorCore
@testable import ModelFormats

@Suite struct KerasWriterTests {
  @Test func int8DenseMatchesKerasArithmeticAndKeepsBias() throws {
    let model = try KerasTestSupport.open("seq-dense.keras")
    let out = KerasTestSupport.temporaryPath("q.keras")
    let requests = KerasTestSupport.int8Requests(model)
    #expect(requests.count == 2)
    _ = try KerasFormat.write(model, requests: requests, provider: KerasTestSupport.unusedProvider, to: out, options: WriteOptions())
    let written = try KerasFormat.open(path: out)
    #expect(written.tensors.map(\.name) == ["hidden/kernel", "hidden/bias", "hidden/kernel_scale", "out/kernel", "out/bias", "out/kernel_scale"])
    #expect(written.layers[0].details.contains("dtype=int8_from_float32"))
    let original = KerasTestSupport.floats(try KerasTestSupport.tensor(model, "hidden/kernel"))
    let q = try KerasTestSupport.tensor(written, "hidden/kernel")
    #expect(q.dtype == .i8)
    let values = KerasTestSupport.floats(q)
    let scales = KerasTestSupport.floats(try KerasTestSupport.tensor(written, "hidden/kernel_scale"))
    #expect(scales.count == 3)
    for column in 0..<3 {
      let amax = (0..<4).map { abs(original[$0 * 3 + column]) }.max() ?? 0
      #expect(scales[column] == Float(127) / (amax + Float(1e-7)))
      for row in 0..<4 {
        #expect(abs(values[row * 3 + column] / scales[column] - original[row * 3 + column]) <= 0.5 / scales[column] + 1e-6)
      }
    }
    #expect(try KerasTestSupport.tensor(written, "hidden/bias").location.bytes.elementsEqual(
      try KerasTestSupport.tensor(model, "hidden/bias").location.bytes))
  }

  @Test func embeddingScalesPerRowAndOtherLayersStayFloat() throws {
    let model = try KerasTestSupport.open("functional-nested.keras")
    let out = KerasTestSupport.temporaryPath("q.keras")
    let notes = try KerasFormat.write(model, requests: KerasTestSupport.int8Requests(model), provider: KerasTestSupport.unusedProvider,
                                      to: out, options: WriteOptions())
    #expect(notes.isEmpty)
    let written = try KerasFormat.open(path: out)
    #expect(try KerasTestSupport.tensor(written, "embed/embeddings").dtype == .i8)
    #expect(try KerasTestSupport.tensor(written, "embed/embeddings_scale").shape == [16])
    #expect(try KerasTestSupport.tensor(written, "conv/kernel").dtype == .f32)
    #expect(try KerasTestSupport.tensor(written, "block/inner/kernel").dtype == .i8)
    #expect(try KerasTestSupport.tensor(written, "head/kernel_scale").shape == [3])
    #expect(written.tensors.filter { $0.dtype == .i8 }.count == 13)
  }

  @Test func int8IsRefusedWithAReasonWhereKerasHasNoInt8Form() throws {
    let model = try KerasTestSupport.open("functional-nested.keras")
    let conv = try KerasTestSupport.tensor(model, "conv/kernel")
    guard case let .notStorable(reason) = KerasFormat.canStore(KerasTestSupport.int8PerColumn, tensor: conv, in: model) else {
      Issue.record("Conv1D int8 accepted"); return
    }
    #expect(reason.contains("Conv1D"))
    let dense = try KerasTestSupport.tensor(model, "d0/kernel")
    #expect(KerasFormat.canStore(KerasTestSupport.int8PerColumn, tensor: dense, in: model) == .storable)
    #expect(!KerasFormat.canStore(KerasTestSupport.int8PerRow, tensor: dense, in: model).isStorable)
    #expect(!KerasFormat.canStore(.float16, tensor: dense, in: model).isStorable)
    let legacy = try KerasTestSupport.open("seq-dense.weights.h5")
    #expect(!KerasFormat.canStore(KerasTestSupport.int8PerColumn, tensor: legacy.tensors[0], in: legacy).isStorable)
  }

  @Test func float32PassthroughRewritesIdenticalMembers() throws {
    let path = try KerasTestSupport.fixture("seq-dense.keras")
    let model = try KerasFormat.open(path: path)
    let out = KerasTestSupport.temporaryPath("f.keras")
    let requests = model.tensors.indices.map { TensorWriteRequest(tensorIndex: $0, encoding: .float32) }
    _ = try KerasFormat.write(model, requests: requests, provider: KerasTestSupport.unusedProvider, to: out, options: WriteOptions())
    let original = try KerasArchive.open(path: path), copy = try KerasArchive.open(path: out)
    #expect(copy.memberNames == original.memberNames)
    #expect(copy.configBytes == original.configBytes)
    let a = original.weightsFile.bytes[original.weightsOffset..<(original.weightsOffset + original.weightsCount)]
    let b = copy.weightsFile.bytes[copy.weightsOffset..<(copy.weightsOffset + copy.weightsCount)]
    #expect(a.elementsEqual(b))
  }

  @Test func failedWriteLeavesNoFile() throws {
    let model = try KerasTestSupport.open("seq-dense.keras")
    let out = KerasTestSupport.temporaryPath("q.keras")
    #expect(throws: FormatError.self) {
      _ = try KerasFormat.write(model, requests: KerasTestSupport.int8Requests(model), provider: KerasTestSupport.unusedProvider,
                                to: out, options: WriteOptions(injectedFailureAfterBytes: 100))
    }
    #expect(!FileManager.default.fileExists(atPath: out))
  }
}

import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// The bundled sample (made by scripts/make-sample-gguf.py with gguf-py's writer) opens as a
/// two-block BERT with its metadata, so the reader is checked against the reference writer too.
@Suite struct GGUFSampleTests {
  static let samplePath: String = {
    let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    return tests.deletingLastPathComponent().appendingPathComponent("SampleModels/minilm-sample.gguf").path
  }()

  @Test func sampleOpensAsBERTWithBlocks() throws {
    let model = try GGUFFormat.open(path: Self.samplePath)
    let parsed = try #require(GGUFFormat.parsedFile(of: model))
    #expect(parsed.architecture == "bert")
    #expect(parsed.archInt("block_count") == 2)
    #expect(model.layers.map(\.name) == ["token_embd", "position_embd", "token_types", "token_embd_norm", "blk.0", "blk.1"])
    #expect(model.layers[4].tensorIndices.count == 16)
    #expect(model.notes.first?.contains("tokenizer bert (512 tokens)") == true)
    let q = try #require(model.tensors.first { $0.name == "blk.1.ffn_down.weight" })
    #expect(q.shape == [384, 1536])
    #expect(q.dtype == .f16)
    #expect(q.isQuantizable)
    #expect(model.tensors.first { $0.name == "position_embd.weight" }?.isQuantizable == false)
    #expect(model.tensors.first { $0.name == "blk.0.attn_q.bias" }?.isQuantizable == false)
    // Real weights: finite, not all zero.
    let values = FloatDecoding.decode(q.dtype, from: q.location.bytes, count: q.elementCount)
    #expect(values.allSatisfy { $0.isFinite })
    #expect(values.contains { $0 != 0 })
  }
}

import Foundation
import Testing
import TensorCore
@testable import ModelFormats

@Suite struct GGUFImatrixTests {
  func ggufImatrix(counts: [Float] = [4, 0]) throws -> String {
    let meta = [
      GGUFKeyValue(key: "general.type", value: .string("imatrix")),
      GGUFKeyValue(key: "imatrix.datasets", value: .array(.string(["wiki.train.raw"]))),
      GGUFKeyValue(key: "imatrix.chunk_count", value: .uint32(100)),
      GGUFKeyValue(key: "imatrix.chunk_size", value: .uint32(512)),
    ]
    let sums: [Float] = [4, 8, 12, 16, 1, 2, 3, 4]  // 4 columns × 2 experts
    let tensors: [(spec: GGUFTensorSpec, data: [UInt8])] = [
      (GGUFTensorSpec(name: "blk.0.ffn_down_exps.weight.in_sum2", ne: [4, 2], type: .f32), GGUFFixture.bytes(of: sums)),
      (GGUFTensorSpec(name: "blk.0.ffn_down_exps.weight.counts", ne: [1, counts.count], type: .f32), GGUFFixture.bytes(of: counts)),
      (GGUFTensorSpec(name: "blk.0.attn_q.weight.in_sum2", ne: [2, 1], type: .f32), GGUFFixture.bytes(of: [3, 9])),
      (GGUFTensorSpec(name: "blk.0.attn_q.weight.counts", ne: [1, 1], type: .f32), GGUFFixture.bytes(of: [3])),
    ]
    return GGUFFixture.write(try GGUFEncoder.file(metadata: meta, tensors: tensors), name: "imatrix")
  }

  @Test func readsGGUFLayoutDividingByCountsPerExpert() throws {
    let matrix = try ImportanceMatrix.load(path: try ggufImatrix())
    #expect(matrix.layout == .gguf)
    #expect(matrix.entries["blk.0.ffn_down_exps.weight"] == [1, 2, 3, 4, 1, 1, 1, 1])  // expert 1 saw nothing
    #expect(matrix.entries["blk.0.attn_q.weight"] == [1, 3])
    #expect(matrix.counts["blk.0.ffn_down_exps.weight"] == [4, 0])
    #expect(matrix.chunks == 100 && matrix.chunkSize == 512 && matrix.datasets == ["wiki.train.raw"])
    let summary = try #require(matrix.summary(for: "blk.0.attn_q.weight"))
    #expect(summary == ImportanceMatrix.Summary(columns: 2, mean: 2, min: 1, max: 3, peakRatio: 1.5, aboveMean: 0.5))
    #expect(matrix.outputMetadata(path: "x.gguf").contains(GGUFKeyValue(key: "quantize.imatrix.chunks_count", value: .uint32(100))))
  }

  @Test func mismatchedCountsAreAnError() throws {
    #expect(throws: FormatError.self) { try ImportanceMatrix.load(path: try ggufImatrix(counts: [1, 2, 3])) }
  }

  static func legacy(entries: [(String, Int32, [Float])], trailer: Bool = true) -> [UInt8] {
    var out = ByteWriter()
    out.write(Int32(entries.count))
    for (name, calls, values) in entries {
      out.write(Int32(name.utf8.count)); out.writeUTF8(name)
      out.write(calls); out.write(Int32(values.count))
      values.forEach { out.writeFloat32($0) }
    }
    if trailer { out.write(Int32(42)); out.write(Int32(4)); out.writeUTF8("wiki") }
    return out.bytes
  }

  @Test func readsLegacyDatDividingByCalls() throws {
    let bytes = Self.legacy(entries: [("blk.0.attn_k.weight", 2, [2, 4, 6]), ("output.weight", 0, [5])])
    let path = GGUFFixture.write(bytes, name: "legacy")
    let matrix = try ImportanceMatrix.load(path: path)
    #expect(matrix.layout == .legacyDat)
    #expect(matrix.entries["blk.0.attn_k.weight"] == [1, 2, 3])
    #expect(matrix.entries["output.weight"] == [5])
    #expect(matrix.chunks == 42 && matrix.datasets == ["wiki"])
    let noTrailer = try ImportanceMatrix.load(path: GGUFFixture.write(Self.legacy(entries: [("a", 1, [1])], trailer: false)))
    #expect(noTrailer.chunks == nil && noTrailer.entries["a"] == [1])
  }

  @Test func legacyBadInputFailsCleanly() throws {
    let good = Self.legacy(entries: [("blk.0.attn_k.weight", 2, [2, 4, 6])], trailer: false)
    var failures = 0
    for length in 0..<good.count {
      do { _ = try ImportanceMatrix.load(path: GGUFFixture.write(Array(good.prefix(length)))) } catch { failures += 1 }
    }
    #expect(failures == good.count)
    var huge = good
    GGUFFixture.writeU32(0x7FFF_FFFF, at: 4 + 4 + 19 + 4, in: &huge)  // value count
    #expect(throws: FormatError.self) { try ImportanceMatrix.load(path: GGUFFixture.write(huge)) }
    let duplicate = Self.legacy(entries: [("a", 1, [1]), ("a", 1, [2])])
    #expect(throws: FormatError.self) { try ImportanceMatrix.load(path: GGUFFixture.write(duplicate)) }
  }
}

extension GGUFImatrixTests {
  @Test func vectorsMustMatchTheTensorRowLength() throws {
    let model = try GGUFFormat.open(path: GGUFFixture.write(try GGUFFixture.tinyLlamaFile()))
    let q = try #require(model.tensors.first { $0.name == "blk.0.attn_q.weight" })
    let down = try #require(model.tensors.first { $0.name == "blk.0.ffn_down.weight" })
    let matrix = ImportanceMatrix(entries: [q.name: Array(repeating: 1, count: 64), down.name: [1, 2]], layout: .legacyDat)
    #expect(matrix.vector(for: q).values?.count == 64)
    #expect(matrix.vector(for: down).values == nil)
    #expect(matrix.vector(for: down).problem == "imatrix entry for 'blk.0.ffn_down.weight' has 2 values, expected 128 per row × 1 expert(s)")
    #expect(matrix.vector(for: model.tensors[0]).problem == nil)
  }
}

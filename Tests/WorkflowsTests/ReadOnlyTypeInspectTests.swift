import ModelFormats
import QuantEngine
import TensorCore
import Testing
import Workflows

/// inspect (and the TUI, which decodes through the same TensorValues path) on tensors stored in
/// i-quant types nothing writes: blocks built by hand, values derived from the block layout.
@Suite struct ReadOnlyTypeInspectTests {
  /// fp16 1.0, little-endian.
  static let one: [UInt8] = [0x00, 0x3C]

  static func u32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

  /// One IQ2_XXS block: every group uses code-book row 0 (all 8s). Group 0 has sign index 1
  /// (elements 0 and 7 negative) and scale 0 → ±1; group 1 has scale 3 → 8·(3.5/4) = 7; the rest 1.
  static func iq2xxsBlock() -> [UInt8] {
    var block = one
    for group in 0..<8 {
      block += [0, 0, 0, 0]
      block += u32(group == 0 ? 1 : (group == 1 ? 3 << 28 : 0))
    }
    return block
  }

  /// One IQ1_S block: code-book row 0 (all −1) everywhere, scale 0 (×1), delta +1/8 except group 1,
  /// whose delta bit makes it −1/8: values −0.875 and, in group 1, −1.125.
  static func iq1sBlock() -> [UInt8] {
    var block = one + [UInt8](repeating: 0, count: 32)
    for group in 0..<8 { block += group == 1 ? [0x00, 0x80] : [0x00, 0x00] }
    return block
  }

  static func model(_ parts: [(String, DType, [UInt8])]) throws -> Model {
    let bytes = parts.flatMap(\.2)
    let file = MappedFile(bytes: bytes, name: "mem.gguf")
    var offset = 0
    var tensors: [ModelTensor] = []
    for (name, dtype, data) in parts {
      let location = try TensorLocation(file: file, offset: offset, byteCount: data.count)
      tensors.append(ModelTensor(name: name, shape: [1, 256], dtype: dtype, location: location, isQuantizable: true))
      offset += data.count
    }
    return Model(format: .gguf, path: "mem.gguf", fileBytes: bytes.count, tensors: tensors)
  }

  @Test func statsHistogramsAndErrorsForHandBuiltBlocks() throws {
    #expect(Self.iq2xxsBlock().count == DType.iq2_xxs.bytesPerBlock)
    #expect(Self.iq1sBlock().count == DType.iq1_s.bytesPerBlock)
    let model = try Self.model([("a.weight", .iq2_xxs, Self.iq2xxsBlock()), ("b.weight", .iq1_s, Self.iq1sBlock())])
    let report = try Inspector.inspect(model, options: Inspector.Options(scheme: .q8_0, bins: 4, threads: 1))

    let a = try #require(report.tensors.first { $0.name == "a.weight" })
    let aStats = try #require(a.stats)
    #expect(aStats.min == -1)
    #expect(aStats.max == 7)
    let aMean: Double = 444.0 / 256  // 28 from group 0, 224 from group 1, 192 from the rest
    #expect(aStats.mean == aMean)
    #expect(aStats.zeros == 0 && aStats.nonFinite == 0)
    let counted = a.histogram?.counts.reduce(0, +)
    #expect(counted == 256)
    let aError = try #require(a.quant?.metrics)
    #expect(aError.sqnrDB > 30)

    let b = try #require(report.tensors.first { $0.name == "b.weight" })
    let bStats = try #require(b.stats)
    #expect(bStats.min == -1.125)
    #expect(bStats.max == -0.875)
    let bMean: Double = -232.0 / 256  // 224 × −0.875 + 32 × −1.125
    #expect(bStats.mean == bMean)
    #expect(b.quant?.metrics != nil)
  }
}

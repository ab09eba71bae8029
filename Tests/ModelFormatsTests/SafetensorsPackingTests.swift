import Testing
import TensorCore

@testable import ModelFormats

/// compressed-tensors pack-quantized layout against words worked out by hand.
@Suite struct SafetensorsPackingTests {
  func signed(_ values: [Int]) -> [UInt8] { values.map { UInt8(bitPattern: Int8($0)) } }

  @Test("int4 rows: +8 offset, eight per word, element 8k+r at bits 4r…4r+3")
  func int4Rows() {
    // stored = q + 8 → [0, 7, 8, 15, 9, 10, 11, 12 | 13]
    let words = CompressedTensorsPacking.packRows(signed([-8, -1, 0, 7, 1, 2, 3, 4, 5]), rows: 1, columns: 9, bits: 4)
    #expect(words == [0xCBA9_F870, 0x0000_000D])
  }

  @Test("int8 rows: +128 offset, four per word, padding words per row")
  func int8Rows() {
    // Row 0 stored [1, 128, 255, 127, 130] → 0x7FFF8001, 0x82; row 1 all 128 → 0x80808080, 0x80.
    let words = CompressedTensorsPacking.packRows(signed([-127, 0, 127, -1, 2, 0, 0, 0, 0, 0]), rows: 2, columns: 5, bits: 8)
    #expect(words == [0x7FFF_8001, 0x0000_0082, 0x8080_8080, 0x0000_0080])
    #expect(CompressedTensorsPacking.bytes(of: [0x7FFF_8001]) == [0x01, 0x80, 0xFF, 0x7F])
  }

  @Test("zero points pack along dim 0")
  func int4Columns() {
    // [[1, -1], [0, 2], [-8, 7]]: column 0 stored [9, 8, 0], column 1 stored [7, 10, 15].
    let words = CompressedTensorsPacking.packColumns([1, -1, 0, 2, -8, 7], rows: 3, columns: 2, bits: 4)
    #expect(words == [0x0000_0089, 0x0000_0FA7])
  }

  @Test("unpacking inverts packing for every int4 and int8 value")
  func roundTrip() {
    for bits in [4, 8] {
      let lowest = -(1 << (bits - 1)), highest = (1 << (bits - 1)) - 1
      let values = Array(lowest...highest) + [lowest, highest, 0]
      let words = CompressedTensorsPacking.packRows(signed(values), rows: 1, columns: values.count, bits: bits)
      #expect(words.count == CompressedTensorsPacking.wordCount(values: values.count, bits: bits))
      #expect(CompressedTensorsPacking.unpack(words[...], count: values.count, bits: bits).map(Int.init) == values)
    }
  }
}

/// The integer packing of compressed-tensors' `pack-quantized` format.
///
/// Signed b-bit values are stored offset by +2^(b−1) (int4 as 0…15, int8 as 0…255) and packed
/// along one axis into little-endian int32 words: element i of a packed line occupies bits
/// [i·b, i·b + b) of the line's bit stream. Only b = 4 and b = 8 are used, where no value crosses a
/// word boundary, so old and new releases of compressed-tensors agree on the layout.
public enum CompressedTensorsPacking {
  /// Bit widths we write (the ones vLLM's WNA16 kernels and every compressed-tensors release share).
  public static let supportedBits: Set<Int> = [4, 8]

  /// Words needed for `count` values of `bits` bits.
  public static func wordCount(values count: Int, bits: Int) -> Int {
    (count * bits + 31) / 32
  }

  /// Packs a row-major `[rows, columns]` matrix of signed values along its last axis.
  ///
  /// - Parameter values: one signed value per byte (two's complement), row-major.
  /// - Returns: `[rows, wordCount(columns)]` words, row-major.
  public static func packRows(_ values: [UInt8], rows: Int, columns: Int, bits: Int) -> [UInt32] {
    precondition(supportedBits.contains(bits) && values.count == rows * columns)
    let perRow = wordCount(values: columns, bits: bits)
    var words = [UInt32](repeating: 0, count: rows * perRow)
    let offset = Int32(1) << (bits - 1)
    let mask = UInt32((1 << bits) - 1)
    let perWord = 32 / bits
    for row in 0..<rows {
      for column in 0..<columns {
        let q = Int32(Int8(bitPattern: values[row * columns + column]))
        let stored = UInt32(bitPattern: q + offset) & mask
        words[row * perRow + column / perWord] |= stored << UInt32((column % perWord) * bits)
      }
    }
    return words
  }

  /// Packs a row-major `[rows, columns]` matrix of signed values along its first axis, as
  /// compressed-tensors stores zero points.
  ///
  /// - Returns: `[wordCount(rows), columns]` words, row-major.
  public static func packColumns(_ values: [Int32], rows: Int, columns: Int, bits: Int) -> [UInt32] {
    precondition(supportedBits.contains(bits) && values.count == rows * columns)
    let wordRows = wordCount(values: rows, bits: bits)
    var words = [UInt32](repeating: 0, count: wordRows * columns)
    let offset = Int32(1) << (bits - 1)
    let mask = UInt32((1 << bits) - 1)
    let perWord = 32 / bits
    for row in 0..<rows {
      for column in 0..<columns {
        let stored = UInt32(bitPattern: values[row * columns + column] + offset) & mask
        words[(row / perWord) * columns + column] |= stored << UInt32((row % perWord) * bits)
      }
    }
    return words
  }

  /// Unpacks `count` signed values from one packed line of words (the inverse of packing).
  public static func unpack(_ words: ArraySlice<UInt32>, count: Int, bits: Int) -> [Int32] {
    precondition(supportedBits.contains(bits))
    let perWord = 32 / bits
    let mask = UInt32((1 << bits) - 1)
    let offset = Int32(1) << (bits - 1)
    var out: [Int32] = []
    out.reserveCapacity(count)
    var index = words.startIndex
    for i in 0..<count {
      guard index < words.endIndex else { break }
      let shift = UInt32((i % perWord) * bits)
      out.append(Int32(bitPattern: (words[index] >> shift) & mask) - offset)
      if i % perWord == perWord - 1 { index += 1 }
    }
    return out
  }

  /// Little-endian bytes of words.
  static func bytes(of words: [UInt32]) -> [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity(words.count * 4)
    for word in words {
      out.append(UInt8(truncatingIfNeeded: word))
      out.append(UInt8(truncatingIfNeeded: word >> 8))
      out.append(UInt8(truncatingIfNeeded: word >> 16))
      out.append(UInt8(truncatingIfNeeded: word >> 24))
    }
    return out
  }
}

import TensorCore

extension TFLiteFormat {
  /// A tensor table's SparsityParameters as a ``ModelGraph/Sparsity`` (nil when the tensor is
  /// dense or the parameters use a dimension format newer than the schema).
  static func sparsity(of tensor: FlatBufferTable, in bytes: UnsafeRawBufferPointer) -> ModelGraph.Sparsity? {
    guard let table = tensor.table(TFLiteSchema.TensorField.sparsity) else { return nil }
    var dimensions: [ModelGraph.Sparsity.Dimension] = []
    for metadata in table.tables(SparsityField.dimMetadata) {
      switch metadata.int8(DimensionField.format) {
      case 0: dimensions.append(.dense(size: Int(metadata.int32(DimensionField.denseSize))))
      case 1:
        guard let segments = indexVector(metadata.table(DimensionField.arraySegments), bytes),
          let indices = indexVector(metadata.table(DimensionField.arrayIndices), bytes)
        else { return nil }
        dimensions.append(.sparse(segments: segments, indices: indices))
      default: return nil
      }
    }
    return ModelGraph.Sparsity(
      traversalOrder: int32Values(table.vectorBytes(SparsityField.traversalOrder), bytes),
      blockMap: int32Values(table.vectorBytes(SparsityField.blockMap), bytes), dimensions: dimensions)
  }

  enum SparsityField { static let traversalOrder = 0, blockMap = 1, dimMetadata = 2 }
  enum DimensionField { static let format = 0, denseSize = 1, arraySegments = 3, arrayIndices = 5 }

  /// The values of an Int32Vector, Uint16Vector or Uint8Vector union member.
  static func indexVector(_ table: FlatBufferTable?, _ bytes: UnsafeRawBufferPointer) -> [Int]? {
    guard let table else { return nil }
    let raw = table.vectorBytes(0)?.array(in: bytes) ?? []
    switch table.type {
    case "Int32Vector": return int32Values(table.vectorBytes(0), bytes)
    case "Uint16Vector":
      return stride(from: 0, to: raw.count - 1, by: 2).map { Int(raw[$0]) | Int(raw[$0 + 1]) << 8 }
    case "Uint8Vector": return raw.map(Int.init)
    default: return nil
    }
  }

  static func int32Values(_ vector: FlatBufferBytes?, _ bytes: UnsafeRawBufferPointer) -> [Int] {
    let raw = vector?.array(in: bytes) ?? []
    return stride(from: 0, to: raw.count - 3, by: 4).map { i in
      Int(Int32(bitPattern: UInt32(raw[i]) | UInt32(raw[i + 1]) << 8 | UInt32(raw[i + 2]) << 16 | UInt32(raw[i + 3]) << 24))
    }
  }
}

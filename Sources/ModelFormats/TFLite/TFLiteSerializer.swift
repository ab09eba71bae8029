import TensorCore

/// Where constant data goes in a written .tflite.
enum TFLiteBufferPlacement: Sendable, Equatable {
  /// Inside the FlatBuffer (Buffer.data) unless that would reach 2 GiB; then after it.
  case automatic
  /// Always after the FlatBuffer (Buffer.offset/size), as LiteRT's exporter does for large
  /// models; for tests and the QSCOPE_TFLITE_BUFFER_OFFSETS=1 environment switch.
  case afterFlatBuffer
}

/// A serialized model: the FlatBuffer, then (when buffers are placed after it) each blob at its
/// offset, 16 zero bytes of slack and padding to 16, as LiteRT's exporter lays them out.
struct TFLiteSerialized {
  var flatBuffer: [UInt8]
  /// Data placed after the FlatBuffer, with its file offset.
  var blobs: [(offset: Int, bytes: FlatBufferBytes)] = []
  var totalSize: Int
  var notes: [String] = []
  var usesBufferOffsets: Bool { !blobs.isEmpty }
}

/// Encodes a rewritten model tree: compact, or preserving the original FlatBuffer behind the new one
/// when the input has fields or union members QuantScope's schema does not know; constant data
/// inline, or after the FlatBuffer when the FlatBuffer would reach 2 GiB.
struct TFLiteSerializer {
  let file: TFLiteFile
  let path: String
  /// The largest FlatBuffer we write (a uoffset and an soffset must fit in an Int32).
  var flatBufferLimit = FlatBufferDecoder.maxBufferSize
  /// Constant data beyond this goes after the FlatBuffer without trying it inline first; the
  /// converter switches at about 1.5 GiB as well.
  var inlineDataLimit = 3 << 29

  static let alignment = 16

  func serialize(_ tree: FlatBufferTable, placement: TFLiteBufferPlacement) throws(FormatError) -> TFLiteSerialized {
    let preserve = Self.hasUnknownFields(file.root)
    var external = placement == .afterFlatBuffer || Self.dataBytes(tree) > inlineDataLimit
    if !external {
      let inline = try encode(tree, preserve: preserve)
      if inline.flatBuffer.count < flatBufferLimit { return inline }
      external = true
    }
    var keep = preserve
    if keep, preservedLength > flatBufferLimit / 2 {
      keep = false
    }
    var result = try encodeExternal(tree, preserve: keep)
    if preserve && !keep {
      result.notes.insert("warning: the model is too large to keep the original FlatBuffer behind the new one", at: 0)
    }
    return result
  }

  /// The bytes of the input that hold its FlatBuffer (data placed after it is not part of it).
  var preservedLength: Int { file.flatBufferLength }

  func encoder(preserve: Bool, capacity: Int) -> FlatBufferEncoder {
    let source = file.file.bytes
    guard preserve else { return FlatBufferEncoder(schema: TFLiteSchema.schema, source: source, capacity: capacity) }
    return FlatBufferEncoder(schema: TFLiteSchema.schema, source: source, capacity: capacity + preservedLength,
                             preserving: file.root, length: preservedLength)
  }

  func encode(_ tree: FlatBufferTable, preserve: Bool) throws(FormatError) -> TFLiteSerialized {
    var encoder = encoder(preserve: preserve, capacity: min(Self.dataBytes(tree), flatBufferLimit) + (1 << 16))
    let bytes: [UInt8]
    do { bytes = try encoder.finish(root: tree, identifier: TFLiteSchema.identifier) } catch {
      throw .unsupported(file: path, what: "model rewrite", reason: error.description)
    }
    return TFLiteSerialized(flatBuffer: bytes, totalSize: bytes.count, notes: notes(encoder))
  }

  func notes(_ encoder: FlatBufferEncoder) -> [String] {
    var notes: [String] = []
    if encoder.isPreserving {
      notes.append("kept the input's \(preservedLength)-byte FlatBuffer behind the rewritten one so fields and tables "
        + "newer than QuantScope's TFLite schema survive; about \(encoder.staleBytes) bytes of it are no longer used")
    }
    for field in Set(encoder.keptUnknownFields).sorted() {
      notes.append("kept \(field) of a changed table, which is newer than QuantScope's TFLite schema")
    }
    for field in Set(encoder.droppedFields).sorted() {
      notes.append("warning: dropped \(field) (newer than QuantScope's TFLite schema) from a table the rewrite had to re-encode")
    }
    return notes
  }

  /// Buffer.offset/size layout: the FlatBuffer (encoded twice: the first time with placeholder
  /// offsets to learn its size, which does not depend on their values), padded to 16, then each
  /// blob 16-aligned, then 16 zero bytes and padding to 16.
  func encodeExternal(_ tree: FlatBufferTable, preserve: Bool) throws(FormatError) -> TFLiteSerialized {
    let buffers = tree.tables(TFLiteSchema.ModelField.buffers)
    var moved: [(index: Int, bytes: FlatBufferBytes)] = []
    for (index, buffer) in buffers.enumerated() {
      guard let data = buffer.vectorBytes(TFLiteSchema.BufferField.data), data.count > 0 else { continue }
      // Unchanged buffers inside a kept original FlatBuffer stay where they are.
      if preserve, case let .source(offset, _) = data, offset < preservedLength { continue }
      moved.append((index, data))
    }
    func placed(_ offsets: [Int]) -> FlatBufferTable {
      var model = tree
      var list = buffers
      for (n, entry) in moved.enumerated() {
        var table = FlatBufferTable(type: "Buffer")
        table.setScalar(TFLiteSchema.BufferField.offset, bits: UInt64(offsets[n]), size: 8)
        table.setScalar(TFLiteSchema.BufferField.size, bits: UInt64(entry.bytes.count), size: 8)
        list[entry.index] = table
      }
      model.fields[TFLiteSchema.ModelField.buffers] = .tables(list)
      return model
    }
    // Placeholder 1 (not the default 0) so the fields are written and the size is final.
    let draft = try encode(placed(moved.map { _ in 1 }), preserve: preserve)
    guard let layout = Self.layout(flatBufferSize: draft.flatBuffer.count, blobSizes: moved.map(\.bytes.count)) else {
      throw .unsupported(file: path, what: "output size", reason: "the buffer offsets overflow")
    }
    var result = try encode(placed(layout.offsets), preserve: preserve)
    guard result.flatBuffer.count == draft.flatBuffer.count, result.flatBuffer.count < flatBufferLimit else {
      throw .unsupported(file: path, what: "output size",
                         reason: "the model's FlatBuffer is \(result.flatBuffer.count) bytes without its constant data")
    }
    result.blobs = zip(layout.offsets, moved).map { ($0, $1.bytes) }
    result.totalSize = layout.total
    return result
  }

  /// File offsets of blobs placed after a FlatBuffer of `flatBufferSize` bytes, and the file size.
  static func layout(flatBufferSize: Int, blobSizes: [Int]) -> (offsets: [Int], total: Int)? {
    func aligned(_ n: Int) -> Int? { Checked.add(n, alignment - 1).map { $0 / alignment * alignment } }
    guard var position = aligned(flatBufferSize) else { return nil }
    var offsets: [Int] = []
    offsets.reserveCapacity(blobSizes.count)
    for (n, size) in blobSizes.enumerated() {
      offsets.append(position)
      guard let end = Checked.add(position, size) else { return nil }
      if n == blobSizes.count - 1 {
        position = end
      } else {
        guard let next = aligned(end) else { return nil }
        position = next
      }
    }
    guard let slack = Checked.add(position, alignment), let total = aligned(slack) else { return nil }
    return (offsets, total)
  }

  static func dataBytes(_ tree: FlatBufferTable) -> Int {
    tree.tables(TFLiteSchema.ModelField.buffers).reduce(0) { sum, buffer in
      sum &+ (buffer.vectorBytes(TFLiteSchema.BufferField.data)?.count ?? 0)
    }
  }

  static func hasUnknownFields(_ table: FlatBufferTable) -> Bool {
    if !table.unknownFields.isEmpty { return true }
    for value in table.fields.values {
      switch value {
      case let .table(child): if hasUnknownFields(child) { return true }
      case let .tables(children): if children.contains(where: hasUnknownFields) { return true }
      default: continue
      }
    }
    return false
  }
}

import TensorCore

extension SafetensorsFormat {
  /// One tensor of the file being written, and where its bytes come from.
  struct OutputTensor: Sendable {
    enum Source: Sendable, Equatable {
      /// The model's tensor at this index, copied unchanged.
      case copy(Int)
      /// A float re-encoding of the model's tensor at this index.
      case cast(Int)
      /// One of the compressed-tensors pieces of the model's tensor at this index.
      case piece(Int, Piece)
      /// Literal bytes (fixtures, and shapes known up front).
      case bytes([UInt8])
    }

    enum Piece: Sendable, Equatable { case packed, scale, zeroPoint }

    var name: String
    var dtype: DType
    var shape: [Int]
    var byteCount: Int
    var source: Source
  }

  /// The file layout: tensors in write order with their offsets, and the padded JSON header.
  struct Layout: Sendable {
    var tensors: [OutputTensor]
    var offsets: [Int]
    var header: [UInt8]
    var dataBytes: Int
  }

  /// Orders tensors as the reference writer does (largest dtype first, then by name), so every
  /// tensor stays naturally aligned once the header is padded to a multiple of 8.
  static func layout(_ tensors: [OutputTensor], metadata: [(key: String, value: String)], path: String) throws(FormatError) -> Layout {
    var seen = Set<String>()
    for tensor in tensors where !seen.insert(tensor.name).inserted || tensor.name == "__metadata__" {
      throw .cannotStore(file: path, tensor: tensor.name, reason: "the output would hold two tensors with this name")
    }
    let sorted = tensors.sorted { a, b in
      if a.dtype.bytesPerBlock != b.dtype.bytesPerBlock { return a.dtype.bytesPerBlock > b.dtype.bytesPerBlock }
      return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
    }
    var members: [(String, JSON)] = []
    if !metadata.isEmpty { members.append(("__metadata__", .stringObject(metadata.map { ($0.key, $0.value) }))) }
    var offsets: [Int] = []
    var position = 0
    for tensor in sorted {
      guard let end = Checked.add(position, tensor.byteCount) else {
        throw .cannotStore(file: path, tensor: tensor.name, reason: "the file would be larger than the address space")
      }
      members.append((tensor.name, .fields([
        ("dtype", .string(tensor.dtype.rawValue)),
        ("shape", .array(tensor.shape.map(JSON.int))),
        ("data_offsets", .array([.int(position), .int(end)])),
      ])))
      offsets.append(position)
      position = end
    }
    var header = Array(JSON.fields(members).compactText().utf8)
    while header.count % 8 != 0 { header.append(0x20) }
    return Layout(tensors: sorted, offsets: offsets, header: header, dataBytes: position)
  }

  /// The bytes of the output tensors that are not plain copies, produced on first use and dropped
  /// once written, so at most a tensor's pieces are held at a time.
  struct EncodedCache {
    var pieces: [Int: [Piece: [UInt8]]] = [:]
  }
}

extension SafetensorsFormat.Layout {
  /// The whole file as bytes, for callers that hold every tensor in memory (fixtures).
  func fileBytes(data: (SafetensorsFormat.OutputTensor) -> [UInt8]) -> [UInt8] {
    var writer = ByteWriter(reservingCapacity: 8 + header.count + dataBytes)
    writer.write(UInt64(header.count))
    writer.write(bytes: header)
    for tensor in tensors { writer.write(bytes: data(tensor)) }
    return writer.bytes
  }
}

extension SafetensorsFormat {
  /// Writes a safetensors file from tensors held in memory, in the reference writer's layout.
  ///
  /// For building test fixtures and small files; model writes go through ``write(_:requests:provider:to:options:)``.
  /// Byte counts are checked against dtype × shape.
  public static func writeTensors(
    _ tensors: [(name: String, dtype: DType, shape: [Int], bytes: [UInt8])], metadata: [String: String] = [:],
    to path: String
  ) throws(FormatError) {
    var outputs: [OutputTensor] = []
    for tensor in tensors {
      guard let elements = Shape.elementCount(tensor.shape), tensor.dtype.byteCount(elements: elements) == tensor.bytes.count else {
        throw .cannotStore(file: path, tensor: tensor.name, reason: "\(tensor.bytes.count) bytes do not match \(tensor.dtype.rawValue) \(tensor.shape)")
      }
      outputs.append(OutputTensor(name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, byteCount: tensor.bytes.count, source: .bytes(tensor.bytes)))
    }
    let sortedMetadata = metadata.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
    let layout = try layout(outputs, metadata: sortedMetadata, path: path)
    let bytes = layout.fileBytes { tensor in
      if case let .bytes(data) = tensor.source { return data }
      return []
    }
    let writer: AtomicFileWriter
    do {
      writer = try AtomicFileWriter(destination: path, overwrite: true)
      try writer.write(bytes)
      try writer.finishWriting()
      try writer.commit()
    } catch { throw .io(error) }
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TensorCore

extension SafetensorsFormat {
  /// Bytes handed to the file writer at a time, so a huge tensor never sits twice in memory.
  static let chunkBytes = 1 << 22

  /// Streams the layout to a temporary file, re-reads it with our own reader, and only then
  /// renames it over `path`. Any failure leaves `path` untouched and removes the temporary file.
  static func stream(
    _ layout: Layout, model: Model, provider: QuantizedDataProvider, encodings: [Int: QuantEncoding],
    to path: String, inputs: [String], metadata: [(key: String, value: String)], options: WriteOptions
  ) throws(FormatError) {
    let writer: AtomicFileWriter
    do { writer = try AtomicFileWriter(destination: path, inputs: inputs, overwrite: options.overwrite) } catch { throw .io(error) }
    defer { writer.abort() }  // no-op after a successful commit
    writer.injectedFailureAfterBytes = options.injectedFailureAfterBytes
    let total = 8 + layout.header.count + layout.dataBytes
    var prefix = ByteWriter()
    prefix.write(UInt64(layout.header.count))
    prefix.write(bytes: layout.header)
    try io { () throws(FileError) in try writer.write(prefix.bytes) }

    var cache = EncodedCache()
    var hashes: [UInt64] = []
    for tensor in layout.tensors {
      if options.cancellation?.isCancelled == true {
        throw .io(.cannotWrite(path: path, reason: "cancelled"))
      }
      switch tensor.source {
      case let .copy(index):
        try writeChunked(model.tensors[index].location.bytes, to: writer, total: total, item: tensor.name, options: options)
        hashes.append(0)
      case let .bytes(bytes):
        try io { () throws(FileError) in try writer.write(bytes) }
        hashes.append(fnv1a(bytes))
      case let .cast(index):
        let bytes = try cache.cast(index, model: model, encoding: encodings[index], provider: provider, path: path)
        try check(bytes.count, tensor, path: path)
        try io { () throws(FileError) in try writer.write(bytes) }
        hashes.append(fnv1a(bytes))
      case let .piece(index, piece):
        let bytes = try cache.piece(piece, of: index, model: model, encoding: encodings[index], provider: provider, path: path)
        try check(bytes.count, tensor, path: path)
        try io { () throws(FileError) in try writer.write(bytes) }
        hashes.append(fnv1a(bytes))
      }
      options.progress?(ProgressUpdate(completed: writer.bytesWritten, total: total, item: tensor.name))
    }
    try io { () throws(FileError) in try writer.finishWriting() }
    try verify(writer.temporaryPath, destination: path, layout: layout, model: model, hashes: hashes, metadata: metadata)
    try io { () throws(FileError) in try writer.commit() }
  }

  static func io(_ body: () throws(FileError) -> Void) throws(FormatError) {
    do { try body() } catch { throw .io(error) }
  }

  static func check(_ count: Int, _ tensor: OutputTensor, path: String) throws(FormatError) {
    guard count == tensor.byteCount else {
      throw .cannotStore(file: path, tensor: tensor.name, reason: "encoded \(count) bytes but the header promises \(tensor.byteCount)")
    }
  }

  static func writeChunked(
    _ bytes: UnsafeRawBufferPointer, to writer: AtomicFileWriter, total: Int, item: String, options: WriteOptions
  ) throws(FormatError) {
    var offset = 0
    while offset < bytes.count {
      let end = min(bytes.count, offset + chunkBytes)
      try io { () throws(FileError) in try writer.write(UnsafeRawBufferPointer(rebasing: bytes[offset..<end])) }
      offset = end
      if end < bytes.count { options.progress?(ProgressUpdate(completed: writer.bytesWritten, total: total, item: item)) }
    }
  }

  /// 64-bit FNV-1a: a cheap fingerprint to check re-read bytes equal what was written.
  static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return hash
  }

  /// Re-opens the written file with the validating reader and compares it with the plan: same
  /// tensors in the same places, copied tensors byte-identical to the source, the rest matching
  /// the fingerprints taken while writing.
  static func verify(
    _ temporary: String, destination: String, layout: Layout, model: Model, hashes: [UInt64],
    metadata: [(key: String, value: String)]
  ) throws(FormatError) {
    func failed(_ reason: String) -> FormatError { .io(.verificationFailed(path: destination, reason: reason)) }
    let file: MappedFile
    do { file = try MappedFile(path: temporary) } catch { throw failed(error.description) }
    let tensors: [ModelTensor], header: Header
    do { (tensors, header) = try readTensors(file, path: temporary) } catch { throw failed(error.description) }
    guard tensors.count == layout.tensors.count, hashes.count == layout.tensors.count else {
      throw failed("\(tensors.count) tensors read back, \(layout.tensors.count) written")
    }
    guard header.metadata.map(\.key) == metadata.map(\.key), header.metadata.map(\.value) == metadata.map(\.value) else {
      throw failed("__metadata__ differs from what was written")
    }
    for (k, planned) in layout.tensors.enumerated() {
      let read = tensors[k]
      guard read.name == planned.name, read.dtype == planned.dtype, read.shape == planned.shape,
        read.byteCount == planned.byteCount, header.entries[k].begin == layout.offsets[k]
      else { throw failed("tensor '\(planned.name)' reads back as \(read.name) \(read.dtype.rawValue) \(read.shape)") }
      switch planned.source {
      case let .copy(index):
        guard sameBytes(read.location.bytes, model.tensors[index].location.bytes) else {
          throw failed("tensor '\(planned.name)' differs from the input")
        }
      default:
        guard fnv1a(read.location.bytes) == hashes[k] else { throw failed("tensor '\(planned.name)' reads back different bytes") }
      }
    }
  }
}

extension SafetensorsFormat {
  static func sameBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    guard a.count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
    return memcmp(pa, pb, a.count) == 0
  }
}

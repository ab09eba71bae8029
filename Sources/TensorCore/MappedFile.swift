#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory mapping of a whole file.
///
/// Models are mapped, never read whole: pages are faulted in as tensors are touched, so opening a
/// multi-gigabyte file costs almost nothing and memory follows what is actually used.
public final class MappedFile: @unchecked Sendable {
  // Immutable after init; the mapping is read-only, so sharing across threads is safe.
  public let path: String
  public let count: Int
  private let base: UnsafeRawPointer?
  /// True when `base` is a heap buffer this object owns rather than a mapping.
  private let ownsHeapBuffer: Bool

  /// Maps `path` read-only. An empty file maps to an empty buffer.
  public init(path: String) throws(FileError) {
    self.path = path
    ownsHeapBuffer = false
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw FileError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
    guard (info.st_mode & S_IFMT) == S_IFREG else { throw FileError.notARegularFile(path: path) }
    let size = Int(info.st_size)
    count = size
    if size == 0 {
      base = nil
      return
    }
    let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
    guard let mapped, mapped != MAP_FAILED else {
      throw FileError.cannotOpen(path: path, reason: "mmap failed: " + String(cString: strerror(errno)))
    }
    base = UnsafeRawPointer(mapped)
  }

  /// Wraps bytes that exist only in memory (e.g. a member inflated out of an archive, or a tensor a
  /// container stores in pieces), so they can be used wherever a mapped file is. `name` stands in
  /// for the path in messages.
  public init(bytes: [UInt8], name: String) {
    path = name
    count = bytes.count
    ownsHeapBuffer = true
    guard !bytes.isEmpty else { base = nil; return }
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 16)
    bytes.withUnsafeBytes { source in
      if let from = source.baseAddress { buffer.copyMemory(from: from, byteCount: source.count) }
    }
    base = UnsafeRawPointer(buffer)
  }

  deinit {
    guard let base else { return }
    if ownsHeapBuffer {
      UnsafeMutableRawPointer(mutating: base).deallocate()
    } else {
      munmap(UnsafeMutableRawPointer(mutating: base), count)
    }
  }

  /// The whole file. Valid for as long as this object lives.
  public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

  /// A reader over the whole file.
  public func reader() -> ByteReader { ByteReader(bytes) }

  /// A bounds-checked slice of the file.
  public func slice(offset: Int, count: Int) throws(ByteReaderError) -> UnsafeRawBufferPointer {
    try ByteReader(bytes).slice(at: offset, count: count)
  }

  /// Tells the kernel these pages are no longer needed, so statistics over a huge model keep the
  /// resident set bounded by what is being worked on.
  public func releasePages(offset: Int, count: Int) {
    guard let base, !ownsHeapBuffer, count > 0, offset >= 0, offset < self.count else { return }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let start = (offset / page) * page
    let end = min(self.count, offset + count)
    guard end > start else { return }
    madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, Int32(MADV_DONTNEED))
  }
}

/// File-system failures, each naming the path.
public enum FileError: Error, Equatable, Sendable, CustomStringConvertible {
  case cannotOpen(path: String, reason: String)
  case notARegularFile(path: String)
  case cannotWrite(path: String, reason: String)
  case wouldOverwriteInput(path: String)
  case exists(path: String)
  case verificationFailed(path: String, reason: String)

  public var description: String {
    switch self {
    case let .cannotOpen(path, reason): return "\(path): cannot open: \(reason)"
    case let .notARegularFile(path): return "\(path): not a regular file"
    case let .cannotWrite(path, reason): return "\(path): cannot write: \(reason)"
    case let .wouldOverwriteInput(path): return "\(path): refusing to overwrite the input file"
    case let .exists(path): return "\(path): file exists (use --force to replace it)"
    case let .verificationFailed(path, reason): return "\(path): written file failed verification: \(reason)"
    }
  }
}

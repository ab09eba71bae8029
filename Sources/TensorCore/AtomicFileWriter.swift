#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that nothing is ever lost: bytes go to a temporary file in the destination
/// folder, are flushed with fsync, verified by the caller, and only then renamed over the target.
///
/// Until ``commit()`` the destination is untouched; ``abort()`` (also run on deinit when neither
/// happened) removes the temporary file, so a failed save leaves no partial file behind.
public final class AtomicFileWriter {
  public let destination: String
  public private(set) var temporaryPath: String
  private var fd: Int32
  private var buffer: [UInt8] = []
  private var finished = false
  public private(set) var bytesWritten = 0
  /// Test hook: fail with ENOSPC once this many bytes have been written (simulates a full disk).
  public var injectedFailureAfterBytes: Int?

  /// Opens a temporary file beside `destination`.
  /// - Parameters:
  ///   - inputs: paths that must never be overwritten (the model being read).
  ///   - overwrite: whether an existing destination may be replaced.
  public init(destination: String, inputs: [String] = [], overwrite: Bool = false) throws(FileError) {
    let resolved = AtomicFileWriter.canonical(destination)
    for input in inputs where AtomicFileWriter.canonical(input) == resolved || AtomicFileWriter.sameFile(input, destination) {
      throw .wouldOverwriteInput(path: destination)
    }
    if access(destination, F_OK) == 0 && !overwrite { throw .exists(path: destination) }
    self.destination = destination
    let folder = AtomicFileWriter.folder(of: destination)
    let base = destination.split(separator: "/").last.map(String.init) ?? "output"
    var template = Array("\(folder)/.\(base).qscope-tmp-XXXXXX".utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
      guard let base = buffer.baseAddress else { return -1 }
      return mkstemp(base)
    }
    guard descriptor >= 0 else {
      throw .cannotWrite(path: destination, reason: String(cString: strerror(errno)))
    }
    fd = descriptor
    temporaryPath = template.withUnsafeBufferPointer { buffer in
      buffer.baseAddress.map { String(cString: $0) } ?? ""
    }
    fchmod(fd, 0o644)
  }

  deinit {
    if !finished { abort() }
  }

  public func write(_ bytes: UnsafeRawBufferPointer) throws(FileError) {
    buffer.append(contentsOf: bytes)
    bytesWritten += bytes.count
    if buffer.count >= 1 << 22 { try flushBuffer() }
  }

  public func write(_ bytes: [UInt8]) throws(FileError) {
    let result: Result<Void, FileError> = bytes.withUnsafeBytes { raw in
      do throws(FileError) { try write(raw); return .success(()) } catch { return .failure(error) }
    }
    try result.get()
  }

  private func flushBuffer() throws(FileError) {
    var offset = 0
    while offset < buffer.count {
      if let limit = injectedFailureAfterBytes, bytesWritten >= limit {
        throw .cannotWrite(path: destination, reason: String(cString: strerror(ENOSPC)))
      }
      let n = buffer.withUnsafeBytes { raw -> Int in
        guard let base = raw.baseAddress else { return 0 }
        return Glibc.write(fd, base + offset, raw.count - offset)
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw .cannotWrite(path: destination, reason: String(cString: strerror(errno)))
      }
      offset += n
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Flushes and fsyncs the temporary file; after this the caller verifies ``temporaryPath``.
  public func finishWriting() throws(FileError) {
    if let limit = injectedFailureAfterBytes, bytesWritten > limit {
      throw .cannotWrite(path: destination, reason: String(cString: strerror(ENOSPC)))
    }
    try flushBuffer()
    guard fsync(fd) == 0 else { throw .cannotWrite(path: destination, reason: String(cString: strerror(errno))) }
  }

  /// Renames the verified temporary file over the destination.
  public func commit() throws(FileError) {
    guard !finished else { return }
    close(fd)
    guard rename(temporaryPath, destination) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporaryPath)
      finished = true
      throw .cannotWrite(path: destination, reason: reason)
    }
    finished = true
    // Make the rename itself durable.
    let dirfd = open(AtomicFileWriter.folder(of: destination), O_RDONLY)
    if dirfd >= 0 { fsync(dirfd); close(dirfd) }
  }

  /// Removes the temporary file; the destination is untouched.
  public func abort() {
    guard !finished else { return }
    finished = true
    close(fd)
    unlink(temporaryPath)
  }

  static func folder(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    let folder = String(path[..<slash])
    return folder.isEmpty ? "/" : folder
  }

  static func canonical(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  static func sameFile(_ a: String, _ b: String) -> Bool {
    var sa = stat(), sb = stat()
    guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
  }
}

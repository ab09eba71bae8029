import CHDF5
import Foundation

/// A failure inside HDF5, naming the object path it concerns. HDF5's own error stack is never
/// printed; callers turn this into a ``FormatError`` that names the model file.
public struct HDF5Error: Error, Sendable, Equatable, CustomStringConvertible {
  /// The HDF5 path of the object ("/layers/dense/vars/0"), or "/" for the file itself.
  public var path: String
  public var reason: String
  public init(path: String, reason: String) { self.path = path; self.reason = reason }
  public var description: String { "\(path): \(reason)" }
}

/// Constants HDF5 defines as macros, through the CHDF5 shim.
enum H5 {
  static var defaultPlist: hid_t { chdf5_p_default() }
  static var all: hid_t { chdf5_s_all() }
}

/// An open HDF5 file: on disk, a read-only image used in place, or a new file held in memory.
///
/// The file closes when the object goes away. Objects opened from it keep it alive.
public final class HDF5File: @unchecked Sendable {
  // The id is only used through HDF5 calls, and this build of HDF5 is thread-safe.
  let id: hid_t
  /// Whatever owns the bytes of an in-place image, kept alive as long as the file is open.
  private let keepAlive: AnyObject?

  private init(id: hid_t, keepAlive: AnyObject?) {
    self.id = id; self.keepAlive = keepAlive
  }

  deinit { H5Fclose(id) }

  /// Silences HDF5's error printing. This build of HDF5 is thread-safe, which makes the automatic
  /// error printer a per-thread setting, so every entry point calls this (it is cheap).
  static var silenced: Bool {
    chdf5_silence_errors()
    return true
  }

  private static let counter = Counter()

  /// A name no other open in-memory file has (HDF5 identifies core-driver files by name).
  static func uniqueName() -> String { "qscope-memory-\(counter.next()).h5" }

  /// Opens a file on disk read-only.
  public static func open(path: String) throws(HDF5Error) -> HDF5File {
    _ = silenced
    guard H5Fis_hdf5(path) > 0 else { throw HDF5Error(path: "/", reason: "not an HDF5 file (no HDF5 superblock)") }
    let id = H5Fopen(path, chdf5_acc_rdonly(), H5.defaultPlist)
    guard id >= 0 else { throw HDF5Error(path: "/", reason: "HDF5 could not open the file (corrupt or truncated)") }
    return HDF5File(id: id, keepAlive: nil)
  }

  /// Opens the HDF5 image held in `bytes` without copying it; `owner` must keep the bytes alive and
  /// unchanged (e.g. the memory-mapped archive the image sits in).
  public static func openInPlace(_ bytes: UnsafeRawBufferPointer, owner: AnyObject) throws(HDF5Error) -> HDF5File {
    _ = silenced
    guard let base = bytes.baseAddress, bytes.count >= 8 else {
      throw HDF5Error(path: "/", reason: "empty HDF5 image")
    }
    let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
    guard bytes.prefix(8).elementsEqual(signature) else {
      throw HDF5Error(path: "/", reason: "not an HDF5 file (no HDF5 signature)")
    }
    try HDF5HeapCheck.validate(bytes)
    let id = chdf5_open_image_in_place(base, bytes.count, uniqueName())
    guard id >= 0 else { throw HDF5Error(path: "/", reason: "HDF5 could not open the image (corrupt or truncated)") }
    return HDF5File(id: id, keepAlive: owner)
  }

  /// Creates an empty file that lives in memory; ``image()`` returns its bytes.
  public static func createInMemory() throws(HDF5Error) -> HDF5File {
    _ = silenced
    let id = chdf5_create_in_memory(uniqueName())
    guard id >= 0 else { throw HDF5Error(path: "/", reason: "HDF5 could not create an in-memory file") }
    return HDF5File(id: id, keepAlive: nil)
  }

  /// The root group.
  public func root() throws(HDF5Error) -> HDF5Group {
    _ = HDF5File.silenced
    let gid = H5Gopen2(id, "/", H5.defaultPlist)
    guard gid >= 0 else { throw HDF5Error(path: "/", reason: "cannot open the root group") }
    return HDF5Group(id: gid, path: "/", file: self)
  }

  /// The complete bytes of the file (for in-memory files being written).
  public func image() throws(HDF5Error) -> [UInt8] {
    guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else { throw HDF5Error(path: "/", reason: "flush failed") }
    let size = H5Fget_file_image(id, nil, 0)
    guard size > 0 else { throw HDF5Error(path: "/", reason: "cannot get the file image") }
    var bytes = [UInt8](repeating: 0, count: size)
    let got = bytes.withUnsafeMutableBytes { H5Fget_file_image(id, $0.baseAddress, size) }
    guard got == size else { throw HDF5Error(path: "/", reason: "short file image (\(got) of \(size) bytes)") }
    return bytes
  }
}

/// Joins an HDF5 group path and a child name.
func h5Join(_ parent: String, _ name: String) -> String {
  parent.hasSuffix("/") ? parent + name : parent + "/" + name
}

/// A thread-safe increasing number.
final class Counter: @unchecked Sendable {
  private var value = 0
  private let lock = NSLock()
  func next() -> Int {
    lock.lock()
    defer { lock.unlock() }
    value += 1
    return value
  }
}

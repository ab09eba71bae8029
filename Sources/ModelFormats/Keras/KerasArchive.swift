import Foundation
import TensorCore
import ZIPFoundation

/// The members of a Keras 3 `.keras` archive that QuantScope reads.
///
/// The archive is listed and small members are read with ZIPFoundation. The weights member is used
/// in place: Keras writes every member STORED, so `model.weights.h5` is a contiguous range of the
/// memory-mapped archive and HDF5 opens it there without a copy. A deflated member is inflated into
/// memory instead — never into a temporary file.
struct KerasArchive: Sendable {
  static let weightsMember = "model.weights.h5"
  static let configMember = "config.json"
  static let metadataMember = "metadata.json"

  /// The mapped archive.
  var file: MappedFile
  var configBytes: [UInt8]
  var metadataBytes: [UInt8]?
  /// Where the HDF5 image is: a range of `weightsFile`.
  var weightsFile: MappedFile
  var weightsOffset: Int
  var weightsCount: Int
  /// Member names in archive order (the writer keeps any extra members, such as assets).
  var memberNames: [String]

  static func open(path: String) throws(FormatError) -> KerasArchive {
    let file: MappedFile
    do { file = try MappedFile(path: path) } catch { throw .io(error) }
    let archive = try reading(file, path: path)
    var entries: [String: Entry] = [:]
    var names: [String] = []
    for entry in archive {
      names.append(entry.path)
      entries[entry.path] = entry
    }
    guard let configEntry = entries[configMember] else {
      throw .invalid(file: path, what: "Keras archive", offset: nil,
                     reason: "no '\(configMember)' member, so there is no architecture (members: \(names.joined(separator: ", ")))")
    }
    guard let weightsEntry = entries[weightsMember] else {
      let reason = entries["model.weights.npz"] != nil
        ? "weights are stored as model.weights.npz, which QuantScope does not read"
        : "no '\(weightsMember)' member (members: \(names.joined(separator: ", ")))"
      throw .invalid(file: path, what: "Keras archive", offset: nil, reason: reason)
    }
    let config = try extract(configEntry, from: archive, path: path, limit: 1 << 28)
    let metadata = try entries[metadataMember].map { entry throws(FormatError) in
      try extract(entry, from: archive, path: path, limit: 1 << 20)
    }
    if !weightsEntry.isCompressed, let range = try KerasZipLocator.storedRange(of: weightsMember, in: file, path: path),
      range.count == Int(clamping: weightsEntry.uncompressedSize)
    {
      return KerasArchive(file: file, configBytes: config, metadataBytes: metadata, weightsFile: file,
                          weightsOffset: range.offset, weightsCount: range.count, memberNames: names)
    }
    let limit = Int(clamping: min(UInt64(file.count) * 1100, UInt64(Int.max / 2)))
    let weights = try extract(weightsEntry, from: archive, path: path, limit: limit)
    let memory = MappedFile(bytes: weights, name: "\(path):\(weightsMember)")
    return KerasArchive(file: file, configBytes: config, metadataBytes: metadata, weightsFile: memory,
                        weightsOffset: 0, weightsCount: memory.count, memberNames: names)
  }

  /// ZIPFoundation's reader for the archive. The end record is looked for first, by us: ZIPFoundation
  /// would scan a whole non-zip file backwards byte by byte, and leaks its reader when it then gives
  /// up. (Its in-memory mode is not used: its memory reader traps on a seek past the end, which a
  /// corrupt central directory asks for.)
  static func reading(_ file: MappedFile, path: String) throws(FormatError) -> Archive {
    guard KerasZipLocator.findEndRecord(file) != nil else {
      throw .invalid(file: path, what: "Keras archive", offset: nil,
                     reason: "not a zip archive (no end-of-central-directory record in its last 64 KiB)")
    }
    do { return try Archive(url: URL(fileURLWithPath: path), accessMode: .read) } catch {
      throw .invalid(file: path, what: "Keras archive", offset: nil, reason: "not a zip archive (\(error))")
    }
  }

  /// Reads a member into memory, refusing sizes over `limit` (a corrupt header must not make us allocate
  /// gigabytes) and checking the CRC.
  static func extract(_ entry: Entry, from archive: Archive, path: String, limit: Int) throws(FormatError) -> [UInt8] {
    guard entry.uncompressedSize <= UInt64(limit) else {
      throw .invalid(file: path, what: "member '\(entry.path)'", offset: nil,
                     reason: "declares \(entry.uncompressedSize) bytes, more than this archive can hold")
    }
    var bytes: [UInt8] = []
    // The declared size is only a claim: reserve no more than a stored member could really hold.
    bytes.reserveCapacity(Int(min(entry.uncompressedSize, UInt64(1 << 24))))
    do {
      _ = try archive.extract(entry, skipCRC32: false) { chunk in
        guard bytes.count + chunk.count <= limit else { throw Archive.ArchiveError.invalidEntrySize }
        bytes.append(contentsOf: chunk)
      }
    } catch {
      throw .invalid(file: path, what: "member '\(entry.path)'", offset: nil, reason: "cannot be read from the archive (\(error))")
    }
    return bytes
  }

  /// A member as raw bytes, for copying into a new archive.
  func memberBytes(_ name: String, path: String) throws(FormatError) -> [UInt8] {
    let archive = try KerasArchive.reading(file, path: path)
    guard let entry = archive[name] else {
      throw .invalid(file: path, what: "Keras archive", offset: nil, reason: "member '\(name)' disappeared")
    }
    return try KerasArchive.extract(entry, from: archive, path: path, limit: Int(clamping: UInt64(file.count) * 1100))
  }
}

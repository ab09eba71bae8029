import TensorCore

#if canImport(Glibc)
import Glibc
#endif

/// Checks the global heap collections of an HDF5 image before libhdf5 sees them.
///
/// Variable-length strings (Keras's `model_config`, layer and weight names) live in global heap
/// collections. libhdf5 1.10 walks a collection's objects trusting each object's size: a free-space
/// object of size 0 makes it loop forever, and a size smaller than its header sends it backwards.
/// We walk every collection the same way first, bounds-checked, and refuse an image whose walk
/// would not advance or would leave the collection — one clear error instead of a hung tool.
enum HDF5HeapCheck {
  static let signature: [UInt8] = Array("GCOL".utf8)
  /// libhdf5 never makes a collection smaller than this, which also keeps chance matches in weight
  /// data from being taken for collections.
  static let minimumCollectionSize = 4096

  static func validate(_ bytes: UnsafeRawBufferPointer) throws(HDF5Error) {
    guard let base = bytes.baseAddress, let lengthSize = lengthSize(bytes), lengthSize == 8 else { return }
    var position = 0
    // memchr for the first letter, then a compare: the scan runs at memory speed even in debug builds.
    while position + 16 <= bytes.count {
      guard let hit = memchr(base + position, Int32(signature[0]), bytes.count - position) else { return }
      let offset = base.distance(to: UnsafeRawPointer(hit))
      if offset + 16 <= bytes.count, bytes[offset + 1] == signature[1], bytes[offset + 2] == signature[2],
        bytes[offset + 3] == signature[3]
      {
        try validateCollection(bytes, at: offset)
      }
      position = offset + 1
    }
  }

  /// The superblock's "size of lengths", or nil when no superblock is found where HDF5 looks for one
  /// (offset 0, then 512, 1024, 2048, … for files with a user block).
  static func lengthSize(_ bytes: UnsafeRawBufferPointer) -> Int? {
    let magic: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
    var start = 0
    while start + 16 <= bytes.count {
      if bytes[start..<(start + 8)].elementsEqual(magic) {
        let version = bytes[start + 8]
        // Versions 0 and 1 keep the sizes at bytes 13–14, versions 2 and 3 at bytes 9–10.
        return Int(version <= 1 ? bytes[start + 14] : bytes[start + 10])
      }
      start = start == 0 ? 512 : start * 2
    }
    return nil
  }

  static func validateCollection(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(HDF5Error) {
    var reader = ByteReader(bytes)
    do {
      try reader.seek(to: offset + 4)
      let version: UInt8 = try reader.read()
      try reader.skip(3)
      let declared: UInt64 = try reader.read()
      // Not a collection libhdf5 would accept (or a chance match): libhdf5 rejects these itself.
      guard version == 1, declared >= minimumCollectionSize, declared <= UInt64(bytes.count - offset) else { return }
      let end = offset + Int(declared)
      var object = offset + 16
      while end - object >= 16 {
        try reader.seek(to: object)
        let index: UInt16 = try reader.read()
        try reader.skip(6)
        let size: UInt64 = try reader.read()
        let room = UInt64(end - object)
        // Objects take a 16-byte header plus their data padded to 8; free space (index 0) states its
        // whole extent. Either way the walk must move forward and stay inside the collection.
        let step: UInt64 = index == 0 ? size : 16 + ((min(size, room) + 7) & ~7)
        guard step >= 16, step <= room, index == 0 || size <= room - 16 else {
          throw HDF5Error(
            path: "/", reason: "corrupt global heap at byte \(offset): object \(index) at byte \(object) declares \(size) bytes (\(room) left in the collection)")
        }
        object += Int(step)
      }
    } catch let error as HDF5Error {
      throw error
    } catch {
      return  // ran past the image: libhdf5 reports truncation itself
    }
  }
}

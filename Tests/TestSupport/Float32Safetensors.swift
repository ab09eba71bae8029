import Foundation

/// Safetensors files of float32 tensors built byte by byte for tests, so the real reader is what
/// opens them.
public enum Float32Safetensors {
  /// The file bytes for (name, shape, values) triples: header length, JSON header padded to 8 bytes, little-endian payload.
  public static func bytes(_ tensors: [(String, [Int], [Float])]) -> Data {
    var header: [String] = []
    var payload = Data()
    for (name, shape, values) in tensors {
      let begin = payload.count
      for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { payload.append(contentsOf: $0) } }
      let dims = shape.map(String.init).joined(separator: ",")
      header.append("\"\(name)\":{\"dtype\":\"F32\",\"shape\":[\(dims)],\"data_offsets\":[\(begin),\(payload.count)]}")
    }
    var json = "{" + header.joined(separator: ",") + "}"
    while json.utf8.count % 8 != 0 { json += " " }
    var file = Data()
    withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { file.append(contentsOf: $0) }
    file.append(contentsOf: Array(json.utf8))
    file.append(payload)
    return file
  }

  /// Writes the file to `path`.
  public static func write(_ tensors: [(String, [Int], [Float])], to path: String) throws {
    try bytes(tensors).write(to: URL(fileURLWithPath: path))
  }
}

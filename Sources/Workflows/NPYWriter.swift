import TensorCore

/// Writes float32 arrays as numpy .npy (version 1.0, little-endian, C order).
public enum NPYWriter {
  public static func float32(_ values: [Float], shape: [Int]) -> [UInt8] {
    let dims = shape.isEmpty ? "()" : (shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")")
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(dims), }"
    // The magic, version and length take 10 bytes; numpy pads the header so data starts 64-aligned.
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var writer = ByteWriter(reservingCapacity: 10 + header.utf8.count + values.count * 4)
    writer.write(bytes: [0x93] + Array("NUMPY".utf8) + [1, 0])
    writer.write(UInt16(header.utf8.count))
    writer.writeUTF8(header)
    values.withUnsafeBytes { writer.write(raw: $0) }
    return writer.bytes
  }
}

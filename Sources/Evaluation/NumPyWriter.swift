import Foundation

/// Writes a float32 .npy file (diagnostics: the interop tests compare our outputs with LiteRT's).
public enum NumPyWriter {
  public static func data(_ tensor: EvalTensor) -> Data {
    let shape = tensor.shape.map(String.init).joined(separator: ", ") + (tensor.shape.count == 1 ? "," : "")
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape)), }"
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var bytes = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
    let length = UInt16(header.utf8.count)
    bytes.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
    bytes.append(contentsOf: Array(header.utf8))
    for value in tensor.data { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
    return bytes
  }

  public static func write(_ tensor: EvalTensor, to path: String) throws {
    try data(tensor).write(to: URL(fileURLWithPath: path))
  }
}

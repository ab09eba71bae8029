import Foundation
import QuantEngine
import TensorCore

/// `qscope-bench dequantize-raw --type Q4_K IN.bin OUT.f32`: raw ggml blocks in, little-endian
/// float32 out (for interop tests of the block decoders).
enum DequantizeRaw {
  static func run(_ arguments: [String]) -> Int32 {
    let options = BenchOptions(arguments, flags: ["type"])
    if let error = options.error { return fail(error) }
    guard let name = options.values["type"], let type = DType(rawValue: name.uppercased()), type.isBlockQuantized else {
      return fail("--type must be a ggml block type such as Q4_K")
    }
    guard options.positional.count == 2 else { return fail("usage: dequantize-raw --type T IN.bin OUT.f32") }
    let input = options.positional[0], output = options.positional[1]
    guard let data = FileManager.default.contents(atPath: input) else { return fail("\(input): cannot read") }
    guard data.count % type.bytesPerBlock == 0 else {
      return fail("\(input): \(data.count) bytes is not a whole number of \(type.rawValue) blocks")
    }
    let count = data.count / type.bytesPerBlock * type.blockSize
    var values = [Float](repeating: 0, count: count)
    do {
      let bytes = [UInt8](data)
      try bytes.withUnsafeBytes { raw in
        try values.withUnsafeMutableBufferPointer { try Quantizer.dequantizeBlocks(type, from: raw, count: count, into: $0) }
      }
    } catch {
      return fail("\(input): \(error)")
    }
    let out = values.withUnsafeBytes { Data($0) }
    guard FileManager.default.createFile(atPath: output, contents: out) else { return fail("\(output): cannot write") }
    return 0
  }
}

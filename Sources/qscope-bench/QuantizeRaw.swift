import Foundation
import QuantEngine

/// `qscope-bench quantize-raw --scheme S IN.f32 OUT.bin`: raw little-endian float32 in, the
/// scheme's stored bytes out (ggml blocks, or f16/bf16/f32 elements). The input is treated as
/// one row, so ggml schemes need a multiple of the block size.
enum QuantizeRaw {
  static func run(_ arguments: [String]) -> Int32 {
    let options = BenchOptions(arguments, flags: ["scheme"])
    if let error = options.error { return fail(error) }
    guard let name = options.values["scheme"], let scheme = Scheme(rawValue: name) else {
      return fail("--scheme must be one of \(Scheme.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    guard scheme.isGGML || scheme.isFloat else { return fail("quantize-raw supports ggml and float schemes only") }
    guard options.positional.count == 2 else { return fail("usage: quantize-raw --scheme S IN.f32 OUT.bin") }
    let input = options.positional[0], output = options.positional[1]
    guard let data = FileManager.default.contents(atPath: input) else { return fail("\(input): cannot read") }
    guard data.count % 4 == 0 else { return fail("\(input): \(data.count) bytes is not a whole number of float32 values") }
    var values = [Float](repeating: 0, count: data.count / 4)
    _ = values.withUnsafeMutableBytes { raw in data.copyBytes(to: raw.bindMemory(to: UInt8.self)) }
    do {
      let quantized = try values.withUnsafeBufferPointer {
        try Quantizer.quantize($0, shape: [values.count], scheme: scheme, channelAxis: 0)
      }
      guard FileManager.default.createFile(atPath: output, contents: Data(quantized.values)) else {
        return fail("\(output): cannot write")
      }
      return 0
    } catch {
      return fail("\(input): \(error)")
    }
  }
}

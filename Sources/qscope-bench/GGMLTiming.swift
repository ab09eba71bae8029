import Dispatch
import Foundation
import QuantEngine

/// Times ggml's own C quantizer (`ggml_quantize_chunk`, no importance matrix) from a shared
/// library built by Benchmarks/ggml-reference.sh, on the same weights as ours.
struct GGMLTiming {
  typealias QuantizeChunk = @convention(c) (
    Int32, UnsafePointer<Float>?, UnsafeMutableRawPointer?, Int64, Int64, Int64, UnsafePointer<Float>?
  ) -> Int

  /// ggml_type ids and bytes per block of the schemes ggml can time.
  static let types: [Scheme: (id: Int32, blockSize: Int, bytes: Int)] = [
    .q4_0: (2, 32, 18), .q4_1: (3, 32, 20), .q5_0: (6, 32, 22), .q5_1: (7, 32, 24), .q8_0: (8, 32, 34),
    .q2_k: (10, 256, 84), .q3_k: (11, 256, 110), .q4_k: (12, 256, 144), .q5_k: (13, 256, 176), .q6_k: (14, 256, 210),
    .f16: (1, 1, 2), .bf16: (30, 1, 2),
  ]

  let quantize: QuantizeChunk

  /// Nil (with a message on stderr) when the library or its symbol is missing.
  init?(library path: String) {
    guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL), let symbol = dlsym(handle, "ggml_quantize_chunk") else {
      FileHandle.standardError.write(Data("qscope-bench: cannot load ggml_quantize_chunk from \(path)\n".utf8))
      return nil
    }
    quantize = unsafeBitCast(symbol, to: QuantizeChunk.self)
  }

  /// M weights/s: best-of-`repeats` thread CPU time on one thread, and wall time over `threads`
  /// threads splitting the rows (as llama-quantize does). Nil for schemes ggml lacks here.
  func rates(_ values: [Float], rows: Int, rowLength: Int, scheme: Scheme, threads: Int, repeats: Int) -> (single: Double?, multi: Double?) {
    guard let type = Self.types[scheme] else { return (nil, nil) }
    let rowBytes = rowLength / type.blockSize * type.bytes
    var output = [UInt8](repeating: 0, count: rows * rowBytes)
    let fn = quantize
    let count = Double(values.count)
    return values.withUnsafeBufferPointer { x in
      output.withUnsafeMutableBytes { out in
        guard let xp = x.baseAddress, let op = out.baseAddress else { return (nil, nil) }
        let single = KernelBenchmark.best(repeats) { () -> Double? in
          let start = KernelBenchmark.threadCPUSeconds()
          _ = fn(type.id, xp, op, 0, Int64(rows), Int64(rowLength), nil)
          return KernelBenchmark.threadCPUSeconds() - start
        }
        var multi: Double?
        if threads > 1 {
          let (source, destination) = (Int(bitPattern: xp), Int(bitPattern: op))
          multi = KernelBenchmark.best(repeats) { () -> Double? in
            let start = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: threads) { part in
              let lo = rows * part / threads, hi = rows * (part + 1) / threads
              guard let xs = UnsafePointer<Float>(bitPattern: source), let os = UnsafeMutableRawPointer(bitPattern: destination) else { return }
              // ggml_quantize_chunk's `start` offsets both source and destination.
              _ = fn(type.id, xs, os, Int64(lo * rowLength), Int64(hi - lo), Int64(rowLength), nil)
            }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
          }
        }
        return (single.map { count / $0 / 1e6 }, multi.map { count / $0 / 1e6 })
      }
    }
  }
}

import Dispatch
import Foundation
import QuantEngine

/// `qscope-bench kernels [--elements N] [--threads 1|2] [--repeat R] [--rounds K] [--python PATH] [--ggml LIB] [--schemes a,b]`
///
/// Times SchemeAnalysis.evaluate (quantize + dequantize + metrics) and Quantizer.quantize per
/// scheme on N(0,1) weights shaped [N/4096, 4096], and, when a Python with numpy and gguf is
/// given (`--python` or $QSCOPE_BENCH_PYTHON), gguf-py's numpy quantize on the same element count;
/// with `--ggml LIB` (Benchmarks/ggml-reference.sh) also ggml's C `ggml_quantize_chunk` on the
/// same weights, one thread and `--threads` threads.
enum KernelBenchmark {
  static let rowLength = 4096

  static func run(_ arguments: [String]) -> Int32 {
    let options = BenchOptions(arguments, flags: ["elements", "threads", "repeat", "rounds", "python", "schemes", "ggml"])
    if let error = options.error { return fail(error) }
    let requested = options.int("elements") ?? 22_700_000
    let rows = max(2, requested / rowLength)
    let count = rows * rowLength
    let maxThreads = min(max(options.int("threads") ?? 2, 1), 8)
    let repeats = max(1, options.int("repeat") ?? 3)
    var schemes = Scheme.allCases
    if let list = options.values["schemes"] {
      schemes = list.split(separator: ",").compactMap { Scheme(rawValue: String($0)) }
    }
    let python = options.values["python"] ?? ProcessInfo.processInfo.environment["QSCOPE_BENCH_PYTHON"]

    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var values = [Float](repeating: 0, count: count)
    for i in stride(from: 0, to: count - 1, by: 2) {
      // Box–Muller from a xorshift stream: deterministic and fast enough for 20M values.
      state ^= state << 13; state ^= state >> 7; state ^= state << 17
      let u1 = max(Float(state >> 40) / Float(1 << 24), 1e-7)
      let u2 = Float(state & 0xFF_FFFF) / Float(1 << 24)
      let r = (-2 * log(u1)).squareRoot()
      values[i] = r * cos(2 * .pi * u2); values[i + 1] = r * sin(2 * .pi * u2)
    }
    var ggml: GGMLTiming?
    if let path = options.values["ggml"] {
      guard let loaded = GGMLTiming(library: path) else { return 1 }
      ggml = loaded
    }
    let rounds = max(1, options.int("rounds") ?? 2)
    // The numpy int8 script and statistics up front; the gguf-py types alternate with ours below.
    var pythonRates = python.map { GGUFPyTiming.rates(python: $0, elements: count, repeats: repeats, only: ["stats+histogram", "int8"]) } ?? [:]

    print("qscope-bench kernels: \(count) weights [\(rows), \(rowLength)], best of \(repeats), M weights/s")
    print("evaluate = quantize + dequantize + metrics (SchemeAnalysis.evaluate); quantize = Quantizer.quantize")
    print("gguf-py column: gguf.quants.quantize, except int8 (a numpy per-channel int8 + SQNR/cosine script)")
    print("1T columns use thread CPU time; the \(maxThreads)T column is wall time over \(maxThreads) threads (load average matters)")
    var header = "scheme   evaluate 1T cpu"
    if maxThreads > 1 { header += "  evaluate \(maxThreads)T" }
    header += "  quantize 1T cpu"
    if maxThreads > 1 { header += "  quantize \(maxThreads)T" }
    if !pythonRates.isEmpty { header += "   gguf-py/numpy       speed-up" }
    if ggml != nil { header += "  ggml-C 1T cpu  vs ours" + (maxThreads > 1 ? "  ggml-C \(maxThreads)T  vs ours" : "") }
    print(header)
    for scheme in schemes {
      EngineThreads.limit = 1
      let single = best(repeats) { evaluate(values, rows: rows, scheme: scheme, parts: 1) }
      var line = pad(scheme.rawValue, 12) + format(single.map { Double(count) / $0 / 1e6 }, 12)
      if maxThreads > 1 {
        // Tensors split across threads by the benchmark; the engine itself stays single-threaded.
        EngineThreads.limit = 1
        let multi = best(repeats) { evaluate(values, rows: rows, scheme: scheme, parts: maxThreads) }
        line += format(multi.map { Double(count) / $0 / 1e6 }, 13)
      }
      EngineThreads.limit = 1
      var quantize = best(repeats) { quantizeOnly(values, rows: rows, scheme: scheme) }
      if let python, GGUFPyTiming.quantizerTypes.contains(scheme.rawValue) {
        // Ours and gguf-py's take turns, `rounds` times, and each keeps its best: on a shared
        // machine a busy spell then slows both sides instead of whichever ran during it.
        for round in 0..<rounds {
          let theirs = GGUFPyTiming.rates(python: python, elements: count, repeats: repeats, only: [scheme.rawValue])
          if let rate = theirs[scheme.rawValue] { pythonRates[scheme.rawValue] = max(pythonRates[scheme.rawValue] ?? 0, rate) }
          if round + 1 < rounds, let again = best(repeats, { quantizeOnly(values, rows: rows, scheme: scheme) }) {
            quantize = min(quantize ?? again, again)
          }
        }
      }
      let quantizeRate = quantize.map { Double(count) / $0 / 1e6 }
      line += format(quantizeRate, 17)
      var quantizeMulti: Double?
      if maxThreads > 1 {
        // The engine's own row split across cores (EngineThreads), wall time.
        EngineThreads.limit = maxThreads
        quantizeMulti = best(repeats) { quantizeWall(values, rows: rows, scheme: scheme) }.map { Double(count) / $0 / 1e6 }
        EngineThreads.limit = 1
        line += format(quantizeMulti, 12)
      }
      if !pythonRates.isEmpty {
        let py = pythonRates[scheme.rawValue]
        line += format(py, 19)
        // int8 compares our evaluate with the numpy script doing the same work; ggml types compare quantize.
        let ours = scheme == .int8 ? single.map { Double(count) / $0 / 1e6 } : quantizeRate
        if let py, let ours { line += String(format: "%20.1f×", ours / py) } else { line += String(repeating: " ", count: 21) }
      }
      if let ggml {
        let (c1, cN) = ggml.rates(values, rows: rows, rowLength: rowLength, scheme: scheme, threads: maxThreads, repeats: repeats)
        line += format(c1, 15) + ratio(quantizeRate, c1, 9)
        if maxThreads > 1 { line += format(cN, 11) + ratio(quantizeMulti, cN, 9) }
      }
      print(line)
    }
    statsLine(values, repeats: repeats, python: pythonRates["stats+histogram"])
    return 0
  }

  /// Metrics.stats + a 256-bin histogram: the rest of `qscope inspect --bins 256`.
  static func statsLine(_ values: [Float], repeats: Int, python: Double?) {
    let seconds = best(repeats) { () -> Double? in
      let start = threadCPUSeconds()
      values.withUnsafeBufferPointer { buffer in
        let stats = Metrics.stats(buffer)
        _ = Metrics.histogram(buffer, bins: 256, range: stats.min...stats.max)
      }
      return threadCPUSeconds() - start
    }
    let rate = seconds.map { Double(values.count) / $0 / 1e6 }
    var line = "stats+histogram(256) 1T cpu: " + format(rate, 8) + " M weights/s"
    if let python, let rate { line += String(format: "   numpy: %.0f   speed-up: %.1f×", python, rate / python) }
    print(line)
  }

  /// Seconds for one evaluation of the whole tensor split into `parts` row ranges run concurrently.
  static func evaluate(_ values: [Float], rows: Int, scheme: Scheme, parts: Int) -> Double? {
    if parts == 1 {
      // Thread CPU time: on a shared, loaded machine wall time mostly measures the neighbours.
      let start = threadCPUSeconds()
      let ok = values.withUnsafeBufferPointer {
        (try? SchemeAnalysis.evaluate($0, shape: [rows, rowLength], scheme: scheme, channelAxis: 0)) != nil
      }
      return ok ? threadCPUSeconds() - start : nil
    }
    let failed = FailureFlag()
    let start = DispatchTime.now().uptimeNanoseconds
    values.withUnsafeBufferPointer { all in
      // Pointers are not Sendable; pass the address and rebuild it in each worker.
      guard let address = all.baseAddress.map({ Int(bitPattern: $0) }) else { return }
      DispatchQueue.concurrentPerform(iterations: parts) { part in
        guard let base = UnsafePointer<Float>(bitPattern: address) else { return }
        let lo = rows * part / parts, hi = rows * (part + 1) / parts
        let slice = UnsafeBufferPointer(start: base + lo * rowLength, count: (hi - lo) * rowLength)
        do {
          _ = try SchemeAnalysis.evaluate(slice, shape: [hi - lo, rowLength], scheme: scheme, channelAxis: 0)
        } catch { failed.set() }
      }
    }
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return failed.isSet ? nil : elapsed
  }

  static func quantizeOnly(_ values: [Float], rows: Int, scheme: Scheme) -> Double? {
    let start = threadCPUSeconds()
    let ok = values.withUnsafeBufferPointer { (try? Quantizer.quantize($0, shape: [rows, rowLength], scheme: scheme, channelAxis: 0)) != nil }
    return ok ? threadCPUSeconds() - start : nil
  }

  static func quantizeWall(_ values: [Float], rows: Int, scheme: Scheme) -> Double? {
    let start = DispatchTime.now().uptimeNanoseconds
    let ok = values.withUnsafeBufferPointer { (try? Quantizer.quantize($0, shape: [rows, rowLength], scheme: scheme, channelAxis: 0)) != nil }
    return ok ? Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 : nil
  }

  static func ratio(_ ours: Double?, _ theirs: Double?, _ width: Int) -> String {
    guard let ours, let theirs, theirs > 0 else { return String(repeating: " ", count: width) }
    let text = String(format: "%.1f×", ours / theirs)
    return String(repeating: " ", count: max(0, width - text.count)) + text
  }

  static func threadCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
  }

  static func best(_ repeats: Int, _ body: () -> Double?) -> Double? {
    var result: Double?
    for _ in 0..<repeats {
      guard let t = body() else { return nil }
      result = min(result ?? t, t)
    }
    return result
  }

  static func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }

  static func format(_ rate: Double?, _ width: Int) -> String {
    let text = rate.map { String(format: "%.0f", $0) } ?? "n/a"
    return String(repeating: " ", count: max(0, width - text.count)) + text
  }
}

/// A thread-safe "something failed" flag for concurrentPerform bodies.
final class FailureFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var value = false
  func set() { lock.lock(); value = true; lock.unlock() }
  var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

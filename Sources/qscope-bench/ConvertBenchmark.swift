import Foundation
import ModelFormats
import TensorCore
import Workflows

/// `convert`: Keras → quantized .tflite wall and CPU time (open the .keras, convert in memory,
/// apply a preset, quantize, write and verify), compared with the TF converter's recorded timing
/// (`converter-timing.json`, where TensorFlow's import counts towards the converter's figure).
enum ConvertBenchmark {
  static let usage = "convert MODEL.keras [--preset tflite-default] [--runs 5] [--reference converter-timing.json]"

  struct Run {
    var wall: Double
    var cpu: Double
    var bytes: Int
  }

  static func run(_ arguments: [String]) -> Int32 {
    let options = BenchOptions(arguments, flags: ["preset", "runs", "reference"])
    if let error = options.error { return fail("\(error)\nusage: qscope-bench \(usage)") }
    guard let model = options.positional.first else { return fail("usage: qscope-bench \(usage)") }
    let preset = options.values["preset"] ?? "tflite-default"
    let runs = max(options.int("runs") ?? 5, 1)
    let output = NSTemporaryDirectory() + "qscope-bench-convert-\(getpid()).tflite"
    defer { try? FileManager.default.removeItem(atPath: output) }
    var results: [Run] = []
    for _ in 0..<runs {
      do { results.append(try once(model, preset: preset, output: output)) } catch {
        return fail("\(error)")
      }
    }
    let walls = results.map(\.wall).sorted(), cpus = results.map(\.cpu).sorted()
    let median = walls[walls.count / 2], medianCPU = cpus[cpus.count / 2]
    var text = "Keras → \(preset) .tflite: \(model)\n"
    text += String(format: "  QuantScope: median %.3f s wall (min %.3f s), median %.3f s CPU, %d runs, %d bytes\n",
                   median, walls[0], medianCPU, runs, results[0].bytes)
    if let path = options.values["reference"], let reference = converterTiming(path) {
      text += String(format: "  TF converter (import tensorflow + load .keras + convert, fresh process): median %.1f s wall, quietest run %.1f s wall, median %.1f s CPU\n",
                     reference.medianWall, reference.quietestWall, reference.medianCPU)
      text += String(format: "  ratio (ours / converter): median wall 1/%.0f, vs quietest run 1/%.0f, CPU 1/%.0f\n",
                     reference.medianWall / median, reference.quietestWall / median, reference.medianCPU / medianCPU)
    }
    print(text, terminator: "")
    return 0
  }

  static func once(_ path: String, preset: String, output: String) throws -> Run {
    let wallStart = Date(), cpuStart = cpuSeconds()
    let (opened, _) = try ModelOpener.open(path: path)
    let (model, format) = try ModelConversion.convert(opened, to: .tflite)
    let plan = try Presets.plan(preset, model: model)
    let job = QuantizeJob(model: model, format: format, requests: plan.requests)
    _ = try job.save(to: output, options: WriteOptions(overwrite: true))
    let wall = Date().timeIntervalSince(wallStart), cpu = cpuSeconds() - cpuStart
    let bytes = ((try? FileManager.default.attributesOfItem(atPath: output))?[.size] as? Int) ?? 0
    return Run(wall: wall, cpu: cpu, bytes: bytes)
  }

  static func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
  }

  /// End-to-end converter time per recorded run: TF import + loading the .keras + convert.
  static func converterTiming(_ path: String) -> (medianWall: Double, quietestWall: Double, medianCPU: Double)? {
    guard let data = FileManager.default.contents(atPath: path),
      let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let runs = json["runs"] as? [[String: Any]], !runs.isEmpty
    else { return nil }
    func total(_ run: [String: Any], _ suffix: String) -> Double {
      ["import", "load_keras", "convert"].reduce(0) { $0 + ((run["\($1)_\(suffix)"] as? Double) ?? 0) }
    }
    let walls = runs.map { total($0, "s") }.sorted(), cpus = runs.map { total($0, "cpu_s") }.sorted()
    return (walls[walls.count / 2], walls[0], cpus[cpus.count / 2])
  }
}

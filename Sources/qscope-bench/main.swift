import Foundation

/// qscope-bench: one executable, several modes. Each mode lives in its own file and takes the
/// remaining arguments; it returns the process exit status.
struct BenchMode {
  let name: String
  let summary: String
  let run: ([String]) -> Int32
}

let benchModes: [BenchMode] = [
  BenchMode(name: "kernels", summary: "quantize+dequantize+metrics throughput per scheme", run: KernelBenchmark.run),
  BenchMode(name: "frontier", summary: "autopilot frontier and solves on 1,000 cached tensors", run: FrontierBenchmark.run),
  BenchMode(name: "quantize-raw", summary: "raw float32 file → raw quantized blocks (for interop tests)", run: QuantizeRaw.run),
  BenchMode(name: "dequantize-raw", summary: "raw ggml blocks → raw float32 (for interop tests)", run: DequantizeRaw.run),
  BenchMode(name: "eval", summary: "live accuracy: scheme change → accuracy (digits CNN), MobileNetV2 float eval", run: EvalBenchmark.run),
  BenchMode(name: "tui", summary: "inspector key press → frame time, 1,000 tensors, one 100M-element tensor analysing", run: TUIBenchmark.run),
  BenchMode(name: "convert", summary: "Keras → quantized .tflite time vs the TF converter", run: ConvertBenchmark.run),
]

@MainActor func printUsage() {
  var text = "usage: qscope-bench MODE [options]\nmodes:\n"
  for mode in benchModes { text += "  \(mode.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(mode.summary)\n" }
  FileHandle.standardError.write(Data(text.utf8))
}

let commandLine = Array(CommandLine.arguments.dropFirst())
if let name = commandLine.first, let mode = benchModes.first(where: { $0.name == name }) {
  exit(mode.run(Array(commandLine.dropFirst())))
} else {
  printUsage()
  exit(64)
}

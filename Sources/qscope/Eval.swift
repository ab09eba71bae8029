import ArgumentParser
import Evaluation
import Foundation
import QuantEngine
import TensorCore
import Workflows

extension QScope {
  /// `qscope eval`: the live-accuracy metrics in batch form.
  struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run a model on evaluation data, float and quantized, and compare (accuracy, agreement, KL, SQNR).")

    @Argument(help: "Model file (a .tflite; weight-only formats have no graph to run).")
    var file: String

    @Option(help: "Evaluation data: .npz with x [N, …input shape] and optional integer labels y (default: MODEL.eval.npz beside the model).")
    var data: String?

    @Option(help: "Scheme for every quantizable tensor.")
    var scheme: Scheme?

    @Option(help: "Plan file (JSON) with default, rules and per-tensor schemes.")
    var plan: String?

    @Option(help: "Output format: table or json.")
    var format: String = "table"

    @Flag(name: .customLong("noise-floor"), help: "Also report the f16 noise floor (every quantizable weight at f16).")
    var noiseFloor = false

    @Option(name: .customLong("dump-outputs"), help: ArgumentHelp("Write the quantized model's outputs as .npy (diagnostics).", visibility: .hidden))
    var dumpOutputs: String?

    @Option(name: .customLong("dump-float-outputs"), help: ArgumentHelp("Write the float model's outputs as .npy (diagnostics).", visibility: .hidden))
    var dumpFloatOutputs: String?

    func validate() throws {
      guard ["table", "json"].contains(format) else { throw ValidationError("--format must be table or json") }
      if scheme != nil && plan != nil { throw ValidationError("--scheme and --plan cannot be combined") }
    }

    func run() throws {
      let session = try EvaluationSession.open(path: file, dataPath: data)
      var effective = try plan.map { path throws in try Plan.load(path: path) } ?? Plan()
      if let scheme { effective.defaultScheme = scheme }
      let report = try session.evaluate(plan: effective)
      if let dumpFloatOutputs { try NumPyWriter.write(session.floatOutput, to: dumpFloatOutputs) }
      if let dumpOutputs, let output = try session.currentOutput() { try NumPyWriter.write(output, to: dumpOutputs) }
      for problem in report.problems { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
      if format == "json" {
        print(report.json(), terminator: "")
      } else {
        print(report.table(), terminator: "")
        if noiseFloor {
          let floor = try session.noiseFloor()
          print(String(format: "f16 noise floor: agreement %.2f%%, KL %.6f, output SQNR %.1f dB",
                       floor.quantized.top1Agreement * 100, floor.quantized.klDivergence, floor.quantized.outputSQNR))
        }
      }
    }
  }
}

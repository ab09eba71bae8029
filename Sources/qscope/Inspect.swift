import ArgumentParser
import ModelFormats
import QuantEngine
import TensorCore
import Workflows

extension QScope {
  struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print every tensor's statistics and, with --scheme, the error that scheme would cause.")

    @Argument(help: "Model file.")
    var file: String

    @Option(help: "Scheme whose error and size to compute for the quantizable tensors.")
    var scheme: Scheme?

    @Option(help: "Output format: table, json, csv or markdown.")
    var format: ReportFormat = .table

    @Option(help: "Histogram bins per tensor (json: histogram.counts).")
    var bins: Int?

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(help: "Importance matrix (llama.cpp imatrix .gguf or legacy .dat): per-tensor importance columns, and with --scheme importance-weighted quantization and error.")
    var imatrix: String?

    func validate() throws {
      if let bins, bins < 1 || bins > 1_000_000 { throw ValidationError("--bins must be between 1 and 1000000") }
      if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
      let (model, _) = try ModelOpener.open(path: file)
      var options = Inspector.Options(scheme: scheme, bins: bins, threads: threads ?? Inspector.defaultThreads)
      if let imatrix {
        options.importance = try ImportanceMatrix.load(path: imatrix)
        options.importancePath = imatrix
      }
      let progress = ProgressBar.forStandardError(label: "inspect")
      options.progress = progress?.update
      let report = try Inspector.inspect(model, options: options)
      progress?.finish()
      print(report.rendered(as: format), terminator: "")
    }
  }
}

extension Scheme: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}

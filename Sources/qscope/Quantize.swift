import ArgumentParser
import Foundation
import ModelFormats
import QuantEngine
import TensorCore
import Workflows

extension QScope {
  struct Quantize: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Quantize a model per tensor and save it in a file the format's own runtime loads.")

    @Argument(help: "Input model file.")
    var file: String

    @Option(name: .shortAndLong, help: "Output file (never the input). An extension of another format converts first (model.keras -o model.tflite).")
    var output: String?

    @Option(help: "Scheme for every quantizable tensor (default of the plan).")
    var scheme: Scheme?

    @Option(help: "A preset: \(Presets.names.joined(separator: ", ")).")
    var preset: String?

    @Option(
      name: .customLong("tensor-type"),
      help: ArgumentHelp("REGEX=SCHEME for tensors whose name matches; repeatable, first match wins.", valueName: "regex=scheme"))
    var tensorTypes: [String] = []

    @Option(help: "Plan file (JSON) with default, rules and per-tensor schemes.")
    var plan: String?

    @Option(name: .customLong("output-tensor-type"), help: "GGUF presets: type for output.weight (llama-quantize's flag).")
    var outputTensorType: String?

    @Option(name: .customLong("token-embedding-type"), help: "GGUF presets: type for token_embd.weight.")
    var tokenEmbeddingType: String?

    @Flag(name: .customLong("leave-output-tensor"), help: "GGUF presets: keep output.weight as it is.")
    var leaveOutputTensor = false

    @Flag(help: "GGUF presets: no mixture, every quantizable tensor gets the preset's default type.")
    var pure = false

    @Option(help: "Importance matrix (llama.cpp imatrix .gguf or legacy .dat) for GGUF presets.")
    var imatrix: String?

    @Flag(
      name: .customLong("keep-split"),
      help: "GGUF: write a split input as the same shards (OUT-00001-of-0000N.gguf …), like llama-quantize.")
    var keepSplit = false

    @Option(
      name: .customLong("split-max-size"),
      help: ArgumentHelp("GGUF: write shards of at most this much tensor data (bytes, or with K/M/G: 1000-based as gguf-split).", valueName: "size"))
    var splitMaxSize: String?

    @Option(name: .customLong("split-max-tensors"), help: "GGUF: write shards of at most this many tensors, as gguf-split.")
    var splitMaxTensors: Int?

    @Flag(name: .customLong("dry-run"), help: "Print each tensor's target scheme and size, write nothing.")
    var dryRun = false

    @Flag(help: "Replace an existing output file.")
    var force = false

    func validate() throws {
      if !dryRun && output == nil { throw ValidationError("missing -o OUT (or use --dry-run)") }
      if [keepSplit, splitMaxSize != nil, splitMaxTensors != nil].filter({ $0 }).count > 1 {
        throw ValidationError("--keep-split, --split-max-size and --split-max-tensors exclude each other")
      }
      if let splitMaxTensors, splitMaxTensors < 1 { throw ValidationError("--split-max-tensors must be at least 1") }
      if let splitMaxSize, Self.parseSplitSize(splitMaxSize) == nil {
        throw ValidationError("--split-max-size '\(splitMaxSize)' must be a positive number of bytes, optionally with K, M or G")
      }
      if preset != nil && (scheme != nil || plan != nil) {
        throw ValidationError("--preset cannot be combined with --scheme or --plan")
      }
      if preset == nil && (outputTensorType != nil || tokenEmbeddingType != nil || leaveOutputTensor || pure || imatrix != nil) {
        throw ValidationError("--output-tensor-type, --token-embedding-type, --leave-output-tensor, --pure and --imatrix go with a GGUF --preset")
      }
      if preset == nil && scheme == nil && plan == nil && tensorTypes.isEmpty {
        throw ValidationError("nothing to do: give --scheme, --preset, --tensor-type or --plan")
      }
      if preset == nil { for rule in tensorTypes { _ = try Self.parseRule(rule) } }
    }

    /// gguf-split's sizes: a number with an optional K, M or G (powers of 1000).
    static func parseSplitSize(_ text: String) -> Int? {
      let units: [Character: Int] = ["K": 1_000, "M": 1_000_000, "G": 1_000_000_000]
      var digits = Substring(text)
      var unit = 1
      if let last = text.last?.uppercased().first, let factor = units[last] { unit = factor; digits = digits.dropLast() }
      guard let number = Int(digits), number > 0 else { return nil }
      let (bytes, overflow) = number.multipliedReportingOverflow(by: unit)
      return overflow ? nil : bytes
    }

    static func parseRule(_ text: String) throws -> Plan.Rule {
      guard let equals = text.lastIndex(of: "=") else {
        throw ValidationError("--tensor-type '\(text)' must be REGEX=SCHEME")
      }
      let pattern = String(text[..<equals])
      let name = String(text[text.index(after: equals)...]).lowercased()
      guard let scheme = Scheme(rawValue: name) else {
        throw ValidationError("--tensor-type '\(text)': unknown scheme '\(name)'")
      }
      guard (try? NSRegularExpression(pattern: pattern)) != nil else {
        throw ValidationError("--tensor-type '\(text)': '\(pattern)' is not a valid regular expression")
      }
      return Plan.Rule(pattern: pattern, scheme: scheme)
    }

    func run() throws {
      var (model, format) = try ModelOpener.open(path: file)
      // An output extension of another format (model.keras -o model.tflite) converts first.
      if let output, let target = ModelConversion.target(for: model, output: output) {
        let source = model.format
        (model, format) = try ModelConversion.convert(model, to: target)
        FileHandle.standardError.write(Data("note: converted \(source.rawValue) → \(target.rawValue) in memory (\(model.layers.count) ops, \(Format.bytes(model.fileBytes)) as float)\n".utf8))
      }
      if keepSplit && model.format != .gguf {
        throw ValidationError("--keep-split applies to GGUF input, not \(model.format.rawValue)")
      }
      if let output, (splitMaxSize != nil || splitMaxTensors != nil), !output.hasSuffix(".gguf") {
        throw ValidationError("--split-max-size and --split-max-tensors write GGUF shards: give -o OUT.gguf")
      }
      let job: QuantizeJob
      var presetNotes: [String] = []
      if let preset {
        let options = PresetOptions(
          tensorTypes: tensorTypes, outputTensorType: outputTensorType, tokenEmbeddingType: tokenEmbeddingType,
          leaveOutputTensor: leaveOutputTensor, pure: pure, importanceMatrixPath: imatrix)
        let presetPlan = try Presets.plan(preset, model: model, options: options)
        presetNotes = presetPlan.notes
        job = QuantizeJob(model: model, format: format, requests: presetPlan.requests)
      } else {
        var effective = try plan.map { path throws in try Plan.load(path: path) } ?? Plan()
        if let scheme { effective.defaultScheme = scheme }
        // Rules from the command line come before the plan file's: the user's last word wins.
        effective.rules = try tensorTypes.map(Self.parseRule) + effective.rules
        job = QuantizeJob(model: model, format: format, plan: effective)
      }
      for note in presetNotes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
      // A converted Keras LSTM kernel is four tensors of one name: one warning for them.
      var warned: Set<String> = []
      for problem in job.problems {
        let line = "warning: \(problem.tensorName): \(problem.problem ?? ""); kept unchanged\n"
        if warned.insert(line).inserted { FileHandle.standardError.write(Data(line.utf8)) }
      }
      if dryRun {
        print(DryRunReport(job: job).text(), terminator: "")
        return
      }
      guard let output else { return }
      if job.changed.isEmpty {
        FileHandle.standardError.write(Data("warning: the plan changes no tensor; writing an unchanged copy\n".utf8))
      }
      let progress = ProgressBar.forStandardError(label: "quantize")
      var options = WriteOptions(overwrite: force, progress: progress?.update)
      options.presetName = preset
      options.importanceMatrixPath = imatrix
      options.keepSplit = keepSplit
      if let splitMaxTensors { options.splitLimit = .tensors(splitMaxTensors) }
      if let bytes = splitMaxSize.flatMap(Self.parseSplitSize) { options.splitLimit = .bytes(bytes) }
      let notes = try job.save(to: output, options: options)
      progress?.finish()
      for note in notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
      let paths = output.hasSuffix(".gguf") ? GGUFFormat.writtenPaths(output: output) : [output]
      let sizes = paths.map { (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? nil }
      let size = sizes.contains(where: { $0 == nil }) ? "?" : Format.bytes(sizes.reduce(0) { $0 + ($1 ?? 0) })
      let shown = paths.count < 2 ? output : "\(paths[0]) … \(paths[paths.count - 1]) (\(paths.count) shards)"
      print("wrote \(shown): \(job.changed.count) of \(model.tensors.count) tensors quantized, \(Format.bytes(model.fileBytes)) → \(size)")
    }
  }
}

import ArgumentParser
import Evaluation
import Foundation
import ModelFormats
import QuantEngine
import TensorCore
import Workflows

extension QScope {
  struct Auto: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Choose a scheme per tensor for a size, bits-per-weight or quality target; print the frontier, write the plan.",
      discussion: """
        Every candidate scheme is measured on every quantizable tensor; the solver then picks one per tensor \
        that minimises the estimated error within the target. The table lists points of the size/error \
        frontier; '*' marks the chosen plan. Errors are data-free weight noise Σ(x−x̂)², importance-weighted \
        with --imatrix or, when evaluation data is beside the model (MODEL.eval.npz), by each weight's \
        per-input-channel ⟨a²⟩ from running the float model on it; with --data they are measured output KL. \
        SQNR = 10·log10(Σx² / Σ(x−x̂)²) over all quantizable tensors.
        """)

    @Argument(help: "Input model file.")
    var file: String

    @Option(name: .customLong("target-bpw"), help: "Average stored bits per weight over the quantizable tensors.")
    var targetBPW: Double?

    @Option(name: .customLong("target-size"), help: ArgumentHelp("File size: bytes (K/M/G suffixes) or PCT% of the input.", valueName: "size|pct%"))
    var targetSize: String?

    @Option(name: .customLong("min-sqnr"), help: "Smallest plan whose parameter-weighted SQNR is at least this (dB).")
    var minSQNR: Double?

    @Option(name: .customLong("min-accuracy"), help: "Smallest plan whose measured accuracy (fraction or %) is at least this (needs --data).")
    var minAccuracy: Double?

    @Option(help: "Evaluation data (.npz with x and optional y) for measured sensitivity.")
    var data: String?

    @Option(help: ArgumentHelp("Candidate schemes, comma-separated (default: what the format stores; keep is always a candidate).", valueName: "a,b,c"))
    var schemes: String?

    @Option(help: "Format the plan is for: safetensors, gguf or tflite (default: the input's). A Keras model is priced as the .tflite it converts to; other formats are measured only.")
    var format: ModelFormatKind?

    @Option(help: "Importance matrix (llama.cpp imatrix .gguf or legacy .dat) to weight the error per input column.")
    var imatrix: String?

    @Option(help: ArgumentHelp(
      "Where errors come from: auto (measured with --data; weighted with --imatrix or MODEL.eval.npz beside the model; else proxy), measured (output KL per tensor, needs data), weighted (imatrix or per-channel activation ⟨a²⟩), proxy (weight noise).",
      valueName: "auto|measured|weighted|proxy"))
    var sensitivity: Sensitivity.Source = .auto

    @Option(name: .customLong("pin"), help: ArgumentHelp("REGEX=SCHEME|keep fixes matching tensors; repeatable, first match wins.", valueName: "regex=scheme"))
    var pins: [String] = []

    @Option(name: .customLong("group"), help: ArgumentHelp(
      "Tensors that share one scheme: auto (default: q/k/v and gate/up for safetensors, whose vLLM-style loaders fuse them; none for gguf/tflite), none, qkv, fused (q/k/v and gate/up), or a REGEX grouped by its capture groups' text; repeatable.",
      valueName: "auto|none|qkv|fused|regex"))
    var groups: [String] = []

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Also write the plan for another tool: llama-quantize FILE (a --tensor-type-file).", valueName: "tool file"))
    var export: [String] = []

    @Option(name: .shortAndLong, help: "Plan file to write (JSON).")
    var output: String?

    @Option(help: "Frontier rows to print.")
    var points: Int = 16

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Flag(help: "Replace existing output files.")
    var force = false

    func validate() throws {
      let targets = [targetBPW != nil, targetSize != nil, minSQNR != nil, minAccuracy != nil].filter { $0 }.count
      if targets != 1 { throw ValidationError("give exactly one of --target-bpw, --target-size, --min-sqnr, --min-accuracy") }
      if let targetBPW, !(targetBPW > 0 && targetBPW.isFinite) { throw ValidationError("--target-bpw must be a positive number") }
      if let targetSize, AutoTarget.parseSize(targetSize) == nil {
        throw ValidationError("--target-size '\(targetSize)' must be bytes (with K/M/G) or a percentage like 30%")
      }
      if output == nil && export.isEmpty { throw ValidationError("missing -o PLAN.json (or --export)") }
      if !export.isEmpty && (export.count != 2 || export[0] != "llama-quantize") {
        throw ValidationError("--export takes 'llama-quantize FILE'")
      }
      if points < 2 || points > 10_000 { throw ValidationError("--points must be between 2 and 10000") }
      if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
      for pin in pins { _ = try Self.parsePin(pin) }
    }

    static func parsePin(_ text: String) throws -> (regex: NSRegularExpression, choice: PinnedChoice) {
      guard let equals = text.lastIndex(of: "=") else { throw ValidationError("--pin '\(text)' must be REGEX=SCHEME") }
      let pattern = String(text[..<equals])
      let name = String(text[text.index(after: equals)...]).lowercased()
      let choice: PinnedChoice
      if name == "keep" {
        choice = .keep
      } else if let scheme = Scheme(rawValue: name) {
        choice = .scheme(scheme)
      } else {
        throw ValidationError("--pin '\(text)': unknown scheme '\(name)'")
      }
      guard let regex = try? NSRegularExpression(pattern: pattern) else {
        throw ValidationError("--pin '\(text)': '\(pattern)' is not a valid regular expression")
      }
      return (regex, choice)
    }

    func run() throws {
      let (model, inputFormat) = try ModelOpener.open(path: file)
      var source = resolvedSource(model)
      // A session runs the float model on the data: for measured errors, activation statistics,
      // an accuracy target, and the end-to-end check of the final plan.
      var session: EvaluationSession?
      if source == .measured || (source == .weighted && imatrix == nil) || minAccuracy != nil {
        do { session = try EvaluationSession.open(path: file, dataPath: data) } catch {
          // Data merely found beside the model must not stop a data-free plan.
          guard sensitivity == .auto, data == nil, minAccuracy == nil else { throw WorkflowError.badOption("\(error)") }
          FileHandle.standardError.write(Data("warning: \(error); errors are not weighted\n".utf8))
          source = .proxy
        }
        if let minAccuracy, let reference = session?.floatAccuracy, reference < (minAccuracy > 1 ? minAccuracy / 100 : minAccuracy) {
          let goal = AutoTarget.minAccuracy(minAccuracy > 1 ? minAccuracy / 100 : minAccuracy)
          throw WorkflowError.badOption("\(file): \(AutopilotError.unreachable(target: goal.description, closest: String(format: "the float model itself, accuracy %.2f%%", reference * 100)))")
        }
      }
      let targetFormat = try format.map { kind throws -> any ModelFormat.Type in
        guard let f = FormatRegistry.format(for: kind) else { throw WorkflowError.badOption("--format \(kind.rawValue) is not supported") }
        return f
      } ?? inputFormat
      if !export.isEmpty && targetFormat.kind != .gguf {
        throw WorkflowError.badOption("--export llama-quantize needs ggml types: use a .gguf input or --format gguf")
      }
      for path in [output, export.last].compactMap({ $0 }) {
        if URL(fileURLWithPath: path).standardizedFileURL == URL(fileURLWithPath: file).standardizedFileURL {
          throw WorkflowError.badOption("\(path): refusing to overwrite the input")
        }
        if !force && FileManager.default.fileExists(atPath: path) {
          throw WorkflowError.badOption("\(path) exists; use --force to replace it")
        }
      }
      // A target format the input converts to (keras → tflite) is priced on the converted model,
      // as `qscope quantize model.keras -o out.tflite` will write it; the converted tensors keep
      // their Keras names, so the table maps back to the input's tensors and the plan names them.
      var converted: (model: Model, format: any ModelFormat.Type)?
      if targetFormat.kind != inputFormat.kind, ModelConversion.canConvert(model, to: targetFormat.kind) {
        converted = try ModelConversion.convert(model, to: targetFormat.kind)
      }
      var table = try measure(
        converted?.model ?? model, format: converted?.format ?? inputFormat, target: targetFormat, session: session, source: source)
      if converted != nil { table = table.mapped(to: model) }
      let target: AutoTarget
      if let targetBPW { target = .bitsPerWeight(targetBPW) } else if let minSQNR { target = .minSQNR(minSQNR) } else if let minAccuracy {
        target = .minAccuracy(minAccuracy > 1 ? minAccuracy / 100 : minAccuracy)
      } else {
        target = AutoTarget.parseSize(targetSize ?? "") ?? .fileBytes(0)
      }
      let planner: AutoPlanner
      var solution: AutoSolution
      do {
        // Writer groups (an LSTM's weights) come from the model as it will be written.
        var joint: [[String]] = []
        if let converted {
          joint = AutoGrouping.jointNames(converted.format, model: converted.model)
        } else if targetFormat.kind == inputFormat.kind {
          joint = AutoGrouping.jointNames(targetFormat, model: model)
        }
        planner = try AutoPlanner(table: table, constraints: try constraints(for: table, joint: joint))
        if case let .minAccuracy(goal) = target, let session {
          let found = try planner.smallest(reachingAccuracy: goal, session: session)
          solution = planner.solution(atPoint: found.point, target: target)
        } else {
          solution = try planner.solve(target)
        }
      } catch let error as AutopilotError {
        throw WorkflowError.badOption("\(file): \(error)")
      }
      let report = AutoReport(planner: planner, solution: solution, rows: points, inputBytes: model.fileBytes)
      print(report.text(), terminator: "")
      var plan = solution.plan
      if let session {
        // Isolated-tensor errors are checked by evaluating whole plans on the data; weighted
        // proxies are reported as measured but not second-guessed.
        let measured: (plan: Plan, point: AutoPoint, report: EvaluationReport, label: String)
        if case .minAccuracy = target {
          measured = (plan, solution.point, try planner.evaluate(solution.choice, session: session), "solver")
        } else if table.kind != .measuredKL {
          measured = (plan, solution.point, try planner.evaluate(solution.choice, session: session), "solver")
        } else {
          measured = try planner.bestMeasured(solution, session: session, fits: report.fitsTarget)
        }
        plan = measured.plan
        if measured.label != "solver" {
          print("measured: \(measured.label) (\(measured.point.summary)) is more accurate than the solver's plan within the target; using it")
        }
        let r = measured.report
        let float = session.floatAccuracy.map { String(format: "%.2f%%", $0 * 100) } ?? "—"
        print(String(
          format: "measured: accuracy %.2f%% (float %@), KL %.4g, output SQNR %@ dB on %d samples",
          r.displayAccuracy * 100, float, r.quantized.klDivergence, Format.decibels(r.quantized.outputSQNR), r.samples))
      }
      if targetFormat.kind != inputFormat.kind && converted == nil {
        FileHandle.standardError.write(Data(
          "note: the plan is measured for \(targetFormat.kind.rawValue); \(inputFormat.kind.rawValue) may not store its schemes\n".utf8))
      }
      if export.count == 2 {
        let stored = Dictionary(model.tensors.map { ($0.name, $0.dtype) }, uniquingKeysWith: { a, _ in a })
        var assignment: [String: Scheme?] = [:]
        for row in table.tensors { assignment[row.name] = .some(plan.tensors[row.name]) }
        let text = try AutoExport.llamaQuantizeTypes(assignment, storedTypes: stored)
        try writeText(text, to: export[1])
        print("wrote \(export[1]): llama-quantize --tensor-type-file")
      }
      if let output {
        try plan.save(path: output, overwrite: force)
        print("wrote \(output): \(plan.tensors.count) of \(table.tensors.count) tensors changed")
      }
    }

    /// `--sensitivity auto` made concrete: data beside the model only weights the errors when the
    /// model has a graph the evaluator runs.
    func resolvedSource(_ model: Model) -> Sensitivity.Source {
      guard sensitivity == .auto else { return sensitivity }
      if data != nil { return .measured }
      if imatrix != nil { return .weighted }
      if let graph = model.graph, EvaluationData.defaultPath(forModel: file) != nil,
        Interpreter(graph: graph).unsupportedOps.isEmpty
      {
        return .weighted
      }
      return .proxy
    }

    func measure(
      _ model: Model, format: any ModelFormat.Type, target: any ModelFormat.Type, session: EvaluationSession?,
      source: Sensitivity.Source
    ) throws -> SensitivityTable {
      var candidateSchemes = try schemes.map { text throws in try AutoCandidates.parseList(text) }
      // A pinned scheme has to be measured even when --schemes leaves it out.
      for pin in pins {
        if let scheme = try Self.parsePin(pin).choice.scheme, candidateSchemes != nil, candidateSchemes?.contains(scheme) == false {
          candidateSchemes?.append(scheme)
        }
      }
      var importance: [String: [Float]] = [:]
      if let imatrix {
        let matrix: ImportanceMatrix
        do { matrix = try ImportanceMatrix.load(path: imatrix) } catch { throw WorkflowError.format(error) }
        let (vectors, problems) = Sensitivity.importance(from: matrix, model: model)
        for problem in problems { FileHandle.standardError.write(Data("warning: \(problem); unweighted\n".utf8)) }
        importance = vectors
      }
      let progress = ProgressBar.forStandardError(label: "measure")
      var options = Sensitivity.Options(
        schemes: candidateSchemes, targetFormat: target, importance: importance,
        threads: threads ?? Inspector.defaultThreads, progress: progress?.update)
      let table: SensitivityTable
      switch (source, session) {
      case let (.measured, session?):
        table = try Sensitivity.measured(session, options: options)
      case let (.weighted, session?) where imatrix == nil:
        let activations = session.activationImportance()
        options.weight(by: activations)
        let rows = activations.values.map(\.rows).max() ?? 0
        print("sensitivity: weight noise weighted per input channel by ⟨a²⟩ of \(activations.count) weights' inputs (\(session.data.samples) samples, up to \(rows) rows, \(URL(fileURLWithPath: session.data.path).lastPathComponent))")
        table = try Sensitivity.dataFree(model, format: format, options: options)
      default:
        table = try Sensitivity.dataFree(model, format: format, options: options)
      }
      progress?.finish()
      if table.tensors.isEmpty { throw WorkflowError.badOption("\(file): no quantizable tensors to plan for") }
      return table
    }

    func constraints(for table: SensitivityTable, joint: [[String]] = []) throws -> AutoConstraints {
      let parsed = try pins.map(Self.parsePin)
      var pinned: [String: PinnedChoice] = [:]
      for row in table.tensors {
        let range = NSRange(row.name.startIndex..., in: row.name)
        if let pin = parsed.first(where: { $0.regex.firstMatch(in: row.name, range: range) != nil }) { pinned[row.name] = pin.choice }
      }
      let modes = groups.isEmpty ? [AutoGrouping.Mode.automatic] : groups.map(AutoGrouping.Mode.init(argument:))
      let names = table.tensors.map(\.name)
      let fused = try AutoGrouping.groups(modes: modes, names: names, targetFormat: table.targetFormat)
      let grouped = AutoGrouping.adding(joint: joint, to: fused, names: names)
      if grouped.count > fused.count {
        print("groups: \(grouped.count - fused.count) sets of weights the \(table.targetFormat.rawValue) writer quantizes only together (an LSTM's) share one scheme")
      }
      if !fused.isEmpty {
        let how = modes.contains(.automatic) && groups.isEmpty ? "auto: \(table.targetFormat.rawValue) loaders fuse q/k/v and gate/up; --group none to free them" : "--group"
        print("groups: \(fused.count) sets of tensors share one scheme (\(how))")
      }
      return AutoConstraints(pinned: pinned, groups: grouped)
    }

    func writeText(_ text: String, to path: String) throws {
      let writer = try AtomicFileWriter(destination: path, overwrite: force)
      do {
        try writer.write(Array(text.utf8))
        try writer.finishWriting()
        try writer.commit()
      } catch {
        writer.abort()
        throw error
      }
    }
  }
}

extension ModelFormatKind: ExpressibleByArgument {}
extension Sensitivity.Source: ExpressibleByArgument {}

import ModelFormats
import TensorCore

/// Options that shape a preset's choices (llama-quantize's flags for GGUF presets).
public struct PresetOptions: Sendable {
  /// `REGEX=TYPE` overrides, first match wins.
  public var tensorTypes: [String]
  public var outputTensorType: String?
  public var tokenEmbeddingType: String?
  public var leaveOutputTensor: Bool
  public var pure: Bool
  public var importanceMatrixPath: String?

  public init(
    tensorTypes: [String] = [], outputTensorType: String? = nil, tokenEmbeddingType: String? = nil,
    leaveOutputTensor: Bool = false, pure: Bool = false, importanceMatrixPath: String? = nil
  ) {
    self.tensorTypes = tensorTypes; self.outputTensorType = outputTensorType
    self.tokenEmbeddingType = tokenEmbeddingType; self.leaveOutputTensor = leaveOutputTensor
    self.pure = pure; self.importanceMatrixPath = importanceMatrixPath
  }

  /// True when any llama-quantize-only option is set.
  public var usesLlamaOptions: Bool {
    !tensorTypes.isEmpty || outputTensorType != nil || tokenEmbeddingType != nil || leaveOutputTensor || pure
  }
}

/// What a preset decided: writer requests plus notes (fallbacks, overrides).
public struct PresetPlan: Sendable {
  public var requests: [TensorWriteRequest]
  public var notes: [String]
}

/// Named presets that reproduce a reference tool's choices tensor for tensor.
public enum Presets {
  struct Entry: Sendable {
    var name: String
    var formats: Set<ModelFormatKind>
    var summary: String
    var plan: @Sendable (Model, PresetOptions) throws(WorkflowError) -> PresetPlan
  }

  static let tfliteEntries: [Entry] = [
    Entry(
      name: "tflite-default", formats: [.tflite],
      summary: "the TFLite converter's Optimize.DEFAULT (dynamic-range int8 weights)",
      plan: { model, _ in PresetPlan(requests: TFLitePresets.dynamicRange(model), notes: []) }),
    Entry(
      name: "tflite-float16", formats: [.tflite],
      summary: "the TFLite converter's float16 mode (every float constant to FLOAT16)",
      plan: { model, _ in PresetPlan(requests: TFLitePresets.float16(model), notes: []) }),
  ]

  /// llama-quantize's presets, with its per-tensor mixture rules.
  static let llamaEntries: [Entry] = LlamaFileType.presets.keys.sorted().compactMap { name in
    guard let fileType = LlamaFileType(preset: name) else { return nil }
    return Entry(
      name: name, formats: [.gguf],
      summary: "llama-quantize \(fileType.name) (default \(fileType.defaultType.rawValue), llama.cpp's mixture rules)",
      plan: { model, options throws(WorkflowError) in try llamaPlan(fileType, model: model, options: options) })
  }

  static var entries: [Entry] { tfliteEntries + llamaEntries }

  public static var names: [String] { entries.map(\.name) }

  /// Presets that apply to a format, with one-line summaries (for help and the TUI).
  public static func available(for format: ModelFormatKind) -> [(name: String, summary: String)] {
    entries.filter { $0.formats.contains(format) }.map { ($0.name, $0.summary) }
  }

  /// The writer requests of preset `name` for `model`.
  public static func plan(_ name: String, model: Model, options: PresetOptions = PresetOptions()) throws(WorkflowError) -> PresetPlan {
    let known = available(for: model.format).map(\.name)
    guard let entry = entries.first(where: { $0.name == name.lowercased() }), entry.formats.contains(model.format) else {
      throw .unknownPreset(name: name, format: model.format.rawValue, known: known)
    }
    if options.usesLlamaOptions && model.format != .gguf {
      throw .badOption("--tensor-type with --preset, --output-tensor-type, --token-embedding-type, --leave-output-tensor and --pure are llama-quantize options for GGUF presets")
    }
    return try entry.plan(model, options)
  }

  static func llamaPlan(_ fileType: LlamaFileType, model: Model, options: PresetOptions) throws(WorkflowError) -> PresetPlan {
    func type(_ name: String?, flag: String) throws(WorkflowError) -> DType? {
      guard let name else { return nil }
      guard let type = LlamaQuantizeOptions.type(named: name) else { throw .badOption("\(flag): unknown type '\(name)'") }
      return type
    }
    var overrides: [LlamaQuantizeOptions.TensorTypeOverride] = []
    for text in options.tensorTypes {
      switch LlamaQuantizeOptions.parseOverride(text) {
      case let .success(rule): overrides.append(rule)
      case let .failure(error): throw .format(error)
      }
    }
    var hasImatrix = false
    if let path = options.importanceMatrixPath {
      do { _ = try ImportanceMatrix.load(path: path) } catch { throw .format(error) }
      hasImatrix = true
    }
    let llama = LlamaQuantizeOptions(
      fileType: fileType, tensorTypeOverrides: overrides,
      outputTensorType: try type(options.outputTensorType, flag: "--output-tensor-type"),
      tokenEmbeddingType: try type(options.tokenEmbeddingType, flag: "--token-embedding-type"),
      leaveOutputTensor: options.leaveOutputTensor, pure: options.pure, hasImportanceMatrix: hasImatrix)
    let (requests, notes) = LlamaQuantizeRules.plan(for: model, options: llama)
    return PresetPlan(requests: requests, notes: notes)
  }
}

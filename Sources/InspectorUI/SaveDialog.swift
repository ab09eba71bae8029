import ModelFormats
import QuantEngine
import TensorCore
import TUIKit
import Workflows

/// The save dialog's state: output path, output format, what to write, and the writing progress.
public struct SaveDialog: Equatable, Sendable {
  /// The dialog's rows that take keys.
  public enum Field: CaseIterable, Hashable, Sendable { case path, format, content, shards }

  public var input: TextInputState
  /// Progress 0…1 while writing; nil before start.
  public var progress: Double?
  public var error: String?
  public var field: Field
  /// The output format: the model's own, or one it can be converted to.
  public var format: ModelFormatKind
  /// nil writes the current plan; otherwise the name of a preset for `format`.
  public var preset: String?
  /// What the writer is doing ("converting keras → tflite"), shown over the progress bar.
  public var stage: String?
  /// A split GGUF input is written as the same shards (`--keep-split`) instead of one file.
  public var keepSplit = false

  public init(
    input: TextInputState, progress: Double? = nil, error: String? = nil, field: Field = .path,
    format: ModelFormatKind, preset: String? = nil, stage: String? = nil
  ) {
    self.input = input; self.progress = progress; self.error = error; self.field = field
    self.format = format; self.preset = preset; self.stage = stage
  }

  /// The rows that take keys: the shard choice only when a split GGUF is written as GGUF.
  public static func fields(format: ModelFormatKind, shardCount: Int) -> [Field] {
    format == .gguf && shardCount > 1 ? Field.allCases : [.path, .format, .content]
  }

  /// Whether the save writes the input's shards: chosen, and offered for this format and model.
  public func writesShards(shardCount: Int) -> Bool {
    keepSplit && Self.fields(format: format, shardCount: shardCount).contains(.shards)
  }

  /// What can be written in `format`: the current plan (nil), then the format's presets.
  public static func contents(for format: ModelFormatKind) -> [String?] {
    [nil] + Presets.available(for: format).map { Optional($0.name) }
  }
}

/// What the runtime writes when the user confirms the save dialog.
public struct SaveRequest: Equatable, Sendable {
  public var path: String
  public var plan: Plan
  public var overwrite: Bool
  /// The output format; a format other than the model's converts it first (keras → tflite).
  public var format: ModelFormatKind
  /// A preset written instead of the plan (the plan itself is kept as it is).
  public var preset: String?
  /// Write a split GGUF input as the same shards.
  public var keepSplit: Bool

  public init(path: String, plan: Plan, overwrite: Bool, format: ModelFormatKind, preset: String? = nil, keepSplit: Bool = false) {
    self.path = path; self.plan = plan; self.overwrite = overwrite; self.format = format; self.preset = preset
    self.keepSplit = keepSplit
  }
}

/// What an output format can store for each of the model's tensors: refusals and stored sizes
/// per list row (by tensor name), and the size of the converted model as float.
public struct FormatFacts: Equatable, Sendable {
  public var refusals: [[Scheme: String]]
  public var storedBytes: [[Scheme: Int]]
  public var fileBytes: Int
  /// Rows the format re-encodes only all together (members are row indices).
  public var jointGroups: [JointTensorGroup]

  public init(refusals: [[Scheme: String]], storedBytes: [[Scheme: Int]], fileBytes: Int, jointGroups: [JointTensorGroup] = []) {
    self.refusals = refusals; self.storedBytes = storedBytes; self.fileBytes = fileBytes; self.jointGroups = jointGroups
  }
}

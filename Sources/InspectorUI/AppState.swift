import QuantEngine
import TensorCore
import TUIKit
import Workflows

/// A value the engine computes in the background.
public enum Analysis<Value: Sendable & Equatable>: Sendable, Equatable {
  case pending
  case ready(Value)
  case failed(String)

  public var value: Value? {
    if case .ready(let value) = self { return value }
    return nil
  }
}

/// A key of a background cache that names one tensor at one scheme.
public protocol TensorSchemeKey: Hashable, Sendable {
  var tensor: Int { get }
  var scheme: Scheme { get }
}

/// A (tensor, scheme) pair: the key of the scheme-result cache.
public struct OutcomeKey: TensorSchemeKey {
  public var tensor: Int
  public var scheme: Scheme
  public init(_ tensor: Int, _ scheme: Scheme) { self.tensor = tensor; self.scheme = scheme }
}

/// One row of the layer list: a group heading or a tensor.
public enum ListRow: Hashable, Sendable {
  case group(Int)
  case tensor(Int)
}

/// The panes that take keyboard focus.
public enum Pane: Hashable, Sendable { case list, detail }

/// Columns the list can be sorted by; `file` keeps the file's order with layer groups.
/// `layerSQNR` (needs evaluation data) is the accumulated output SQNR of the layer consuming the
/// tensor, `sensitivity` the tensor's sensitivity at its scheme, `importance` its imatrix mean.
public enum SortColumn: String, CaseIterable, Hashable, Sendable {
  case file, name, op, shape, dtype, params, importance, scheme, sqnr
  case layerSQNR = "output SQNR"
  case sensitivity, size
}

/// Which file a path prompt is for.
public enum PathPurpose: Hashable, Sendable { case savePlan, loadPlan }

/// What is drawn over the panes and takes the keys.
public enum AppOverlay: Equatable, Sendable {
  case none
  case help(scroll: Int)
  case schemePicker(selected: Int)
  case save(SaveDialog)
  case path(PathPurpose, TextInputState)
  case filter(TextInputState)
  case info(scroll: Int)
  case confirmQuit
  case restorePlan(path: String)
  /// The size/SQNR frontier with the point under the cursor.
  case frontier(selected: Int)
  /// The autopilot's budget prompt.
  case budget(TextInputState)
}

/// A line in the message area.
public struct Message: Equatable, Sendable {
  public enum Kind: Sendable { case info, success, warning, error }
  public var text: String
  public var kind: Kind
  public init(_ text: String, _ kind: Kind = .info) { self.text = text; self.kind = kind }
}

/// Everything a frame shows. Nothing in it refers to a terminal.
public struct AppState: Sendable {
  public var model: ModelSummary
  /// The current plan (the tool's plan file, architecture.md).
  public var plan: Plan
  /// The plan as last saved or loaded; `dirty` compares against it.
  public var savedPlan: Plan
  /// Each tensor's resolved scheme under `plan` (nil: kept as it is).
  public var planned: [Scheme?]
  public var undoStack: [Plan] = []
  public var redoStack: [Plan] = []
  public var stats: [Int: Analysis<TensorAnalysis>] = [:]
  public var outcomes: [OutcomeKey: Analysis<SchemeOutcome>] = [:]
  /// The rows the list shows, after folding, filtering and sorting.
  public var visible: [ListRow] = []
  public var cursor = 0
  public var scroll = 0
  public var folded: Set<Int> = []
  public var sort: SortColumn = .file
  public var sortDescending = false
  public var filter = ""
  public var focus: Pane = .list
  public var overlay: AppOverlay = .none
  public var message: Message?
  public var size: Size
  public var themeName: String
  public var themes: [String]
  /// One-line metric definitions shown under the detail pane's metrics.
  public var showDefinitions = false
  public var detailScroll = 0
  /// Where the recovery plan goes (`MODEL.qscope-plan.json`).
  public var recoveryPath: String
  /// The last output path used by the save dialog.
  public var lastSavePath: String?
  /// Set when the app should end after the current effects.
  public var quitting = false
  /// Live accuracy of the plan on the evaluation data; nil when there is none.
  public var accuracy: AccuracyStatus?
  /// Whether the user named the evaluation data (--data), so a failure to use it is reported.
  public var explicitData = false
  /// Tensors that were jumped to with the worst-SQNR / largest jumps, in jump order.
  public var jumpIndex = 0
  /// Sensitivity table, pins and planner of the autopilot.
  public var autopilot = AutopilotState()
  /// Sensitivities that need a background computation (importance-weighted or measured KL), per
  /// (tensor, scheme, kind); data-free MSE comes straight from `outcomes`.
  public var sensitivities: [SensitivityKey: Analysis<Double>] = [:]
  /// The format the model will be written in (the save dialog's choice); the schemes offered
  /// follow it. Starts as the model's own format.
  public var outputFormat: ModelFormatKind
  /// Per conversion target: what that format can store for each tensor (computed in the
  /// background when the target is first chosen).
  public var formatFacts: [ModelFormatKind: Analysis<FormatFacts>] = [:]

  public init(model: ModelSummary, plan: Plan = Plan(), size: Size, themeName: String = "default", themes: [String] = ["default"]) {
    self.model = model
    self.plan = plan
    self.savedPlan = plan
    self.planned = []
    self.size = size
    self.themeName = themeName
    self.themes = themes
    self.recoveryPath = Plan.recoveryPath(forModel: model.path)
    self.outputFormat = model.format
    resolvePlan()
    rebuildVisible()
  }

  /// Whether the plan differs from the last saved or loaded one.
  public var dirty: Bool { plan != savedPlan }

  /// The row under the cursor.
  public var selectedRow: ListRow? { visible.indices.contains(cursor) ? visible[cursor] : nil }

  /// The tensor under the cursor, if the cursor is on a tensor.
  public var selectedTensor: Int? {
    if case .tensor(let index) = selectedRow { return index }
    return nil
  }

  /// Re-resolves every tensor's scheme after the plan changed.
  public mutating func resolvePlan() {
    planned = model.rows.map { plan.scheme(forTensorNamed: $0.name, quantizable: $0.isQuantizable) }
  }

  /// The scheme result for a tensor's planned scheme, or nil when it keeps its data.
  public func plannedOutcome(_ tensor: Int) -> Analysis<SchemeOutcome>? {
    guard planned.indices.contains(tensor), let scheme = planned[tensor] else { return nil }
    return outcomes[OutcomeKey(tensor, scheme)] ?? .pending
  }
}

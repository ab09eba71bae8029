import QuantEngine
import TensorCore
import TUIKit
import Workflows

/// What a key can ask for. Keymaps bind chords to commands; the help overlay lists them.
public enum Command: String, CaseIterable, Hashable, Sendable {
  case moveUp, moveDown, pageUp, pageDown, home, end
  case focusNext, open, back
  case nextScheme, previousScheme, pickScheme, applyToMatching
  case toggleFold, filter, sortNext, sortReverse, jumpWorst, jumpLargest
  case undo, redo, save, savePlan, loadPlan, cycleTheme, info, help, toggleDefinitions, quit
  case confirm, cancel
  case frontier, autoBudget, pin, previousPoint, nextPoint
  case sortSensitivity

  /// One line for the help overlay.
  public var summary: String {
    switch self {
    case .moveUp: "move up"
    case .moveDown: "move down"
    case .pageUp: "page up"
    case .pageDown: "page down"
    case .home: "first row"
    case .end: "last row"
    case .focusNext: "switch between the layer list and the detail pane"
    case .open: "open the detail pane (on a layer: fold/unfold)"
    case .back: "back to the list; clear the filter"
    case .nextScheme: "next scheme the format can store (or keep)"
    case .previousScheme: "previous scheme"
    case .pickScheme: "pick a scheme from a list (disabled ones say why)"
    case .applyToMatching: "apply this scheme to all filtered tensors, or to all of the same op"
    case .toggleFold: "fold/unfold the layer"
    case .filter: "filter tensor names by regular expression"
    case .sortNext: "sort by the next column"
    case .sortReverse: "reverse the sort order"
    case .jumpWorst: "jump to the next-worst SQNR"
    case .jumpLargest: "jump to the next-largest tensor"
    case .undo: "undo the last plan change"
    case .redo: "redo"
    case .save: "save the quantized model (never over the input)"
    case .savePlan: "save the plan file"
    case .loadPlan: "load a plan file"
    case .cycleTheme: "next theme"
    case .info: "model info: metadata, ops, file facts"
    case .help: "this help"
    case .toggleDefinitions: "show one-line metric definitions"
    case .quit: "quit (asks when the plan is unsaved)"
    case .confirm: "confirm"
    case .cancel: "cancel / close"
    case .frontier: "autopilot frontier: size vs SQNR of the best plans"
    case .autoBudget: "autopilot: enter a budget (50%, 2M, 2000000, 4.5bpw) and apply its plan"
    case .pin: "pin/unpin this tensor at its scheme (the autopilot keeps it)"
    case .previousPoint: "previous (smaller) frontier point"
    case .nextPoint: "next (more accurate) frontier point"
    case .sortSensitivity: "rank by sensitivity, most sensitive first (again: file order)"
    }
  }
}

/// Everything that changes the state: input, and results coming back from the engine.
public enum Action: Sendable {
  case key(KeyChord)
  case command(Command)
  case mouse(MouseEvent)
  case resize(Size)
  case signal(TerminalSignal)
  case statsReady(Int, Result<TensorAnalysis, AnalysisFailure>)
  case outcomeReady(Int, Scheme, Result<SchemeOutcome, AnalysisFailure>)
  case saveProgress(Double)
  /// What the save is doing now ("converting keras → tflite").
  case saveStage(String)
  /// A conversion target's storable schemes are known (or the model cannot be converted).
  case conversionPrepared(ModelFormatKind, Result<FormatFacts, AnalysisFailure>)
  case saveFinished(path: String, error: String?, notes: [String])
  case planLoaded(path: String, Result<Plan, WorkflowError>)
  case planSaved(path: String, error: String?)
  case recoveryWritten(path: String, error: String?)
  case themeLoaded(name: String, warnings: [String])
  /// A recovery plan was found beside the model at start.
  case recoveryFound(path: String)
  case showMessage(Message)
  /// The evaluation session opened (with the float model's accuracy) or could not be opened.
  case evaluationOpened(Result<Double?, EvaluationFailure>)
  /// An evaluation of `plan` finished.
  case evaluationReady(plan: Plan, Result<LiveAccuracy, EvaluationFailure>)
  /// The autopilot's sensitivity table was computed (or failed, or was cancelled).
  case sensitivityReady(Result<SensitivityTable, AnalysisFailure>)
  /// One tensor's sensitivity at one scheme (importance-weighted error or measured KL).
  case sensitivityValueReady(SensitivityKey, Result<Double, AnalysisFailure>)
}

/// Work the runtime does for the reducer; results come back as actions.
public enum Effect: Equatable, Sendable {
  case computeStats(Int)
  case computeOutcome(Int, Scheme)
  /// Drop queued scheme jobs whose results are no longer needed.
  case cancelOutcomes(keeping: Set<OutcomeKey>)
  case save(SaveRequest)
  /// Convert the model to a format in memory to learn what it can store (the save dialog's choice).
  case prepareConversion(ModelFormatKind)
  /// The output format changed: the autopilot's table is measured for that format from now on.
  case useOutputFormat(ModelFormatKind)
  case cancelSave
  case savePlan(Plan, path: String)
  case loadPlan(path: String)
  case removeFile(String)
  case writeRecoveryPlan(Plan, path: String)
  case loadTheme(String)
  /// Evaluate the plan on the evaluation data in the background (a newer request cancels an older one).
  case evaluate(Plan)
  /// Compute the data-free sensitivity table in the background.
  case computeSensitivity
  case cancelSensitivity
  /// Compute one tensor's sensitivity at one scheme in the background.
  case computeSensitivityValue(SensitivityKey)
  /// Drop queued sensitivity values that are no longer needed.
  case cancelSensitivityValues(keeping: Set<SensitivityKey>)
  case quit
}

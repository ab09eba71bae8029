import Foundation
import QuantEngine
import Workflows

/// Where the autopilot's sensitivity table stands. The table is computed once, off the UI thread.
public enum SensitivityStatus: Sendable {
  case idle
  case computing
  case ready(SensitivityTable)
  case failed(String)

  public var isComputing: Bool {
    if case .computing = self { return true }
    return false
  }
}

/// The autopilot's part of the state: the sensitivity table, the user's pins and the planner for
/// them. The planner is rebuilt whenever the pins change (cheap; the table is the costly part).
public struct AutopilotState: Sendable {
  public var sensitivity: SensitivityStatus = .idle
  /// Tensor name → the choice the solver must keep.
  public var pins: [String: PinnedChoice] = [:]
  /// The planner for the table and the pins; nil until the table is ready or when the pins contradict it.
  public var planner: AutoPlanner?
  /// Why no planner could be built for the pins.
  public var plannerError: String?
  /// A budget entered while the table was still computing; solved as soon as it arrives.
  public var pendingTarget: AutoTarget?

  /// Tensors that must share a scheme because the output format's usual loader fuses them
  /// (``AutoGrouping/Mode/automatic``); set when the table arrives.
  public var groups: [[String]] = []

  public init() {}

  public var constraints: AutoConstraints { AutoConstraints(pinned: pins, groups: groups) }

  /// Rebuilds the planner for the current pins (no-op until the table is ready).
  public mutating func rebuildPlanner() {
    guard case .ready(let table) = sensitivity else {
      planner = nil
      return
    }
    do {
      planner = try AutoPlanner(table: table, constraints: constraints)
      plannerError = nil
    } catch {
      planner = nil
      plannerError = error.description
    }
  }
}

/// Budget text as typed in the `A` dialog: "50%", "2M", "2000000" (bytes) or "4.5bpw".
public enum BudgetText {
  public static func parse(_ text: String) -> AutoTarget? {
    let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
    if trimmed.hasSuffix("bpw") {
      let number = trimmed.dropLast(3).trimmingCharacters(in: .whitespaces)
      guard let value = Double(number), value.isFinite, value > 0 else { return nil }
      return .bitsPerWeight(value)
    }
    return AutoTarget.parseSize(trimmed)
  }
}

extension AppState {
  /// The frontier point whose size is closest to the current plan's (where the overlay starts).
  func frontierStart(_ planner: AutoPlanner) -> Int {
    guard planner.pointCount > 0 else { return 0 }
    let target = currentPlanPoint(planner)?.fileBytes ?? PlanSummary(state: self).plannedBytes
    var best = 0
    for k in 0..<planner.pointCount where abs(planner.point(k).fileBytes - target) < abs(planner.point(best).fileBytes - target) {
      best = k
    }
    return best
  }

  /// The current plan's totals estimated from the sensitivity table, on the frontier's scale;
  /// nil when a tensor uses a scheme the table did not measure.
  public func currentPlanPoint(_ planner: AutoPlanner) -> AutoPoint? {
    let table = planner.table
    var bytes = 0
    var quantizedBytes = 0
    var error = 0.0
    for entry in table.tensors {
      let scheme = planned.indices.contains(entry.tensorIndex) ? planned[entry.tensorIndex] : nil
      guard let cost = entry.cost(of: scheme) else { return nil }
      bytes += cost.bytes
      if entry.isQuantizable { quantizedBytes += cost.bytes }
      error += cost.error
    }
    let fixed = table.fileBytes - table.tensors.reduce(0) { $0 + $1.originalBytes }
    guard planner.pointCount > 0 else { return nil }
    // AutoPoint has no public initializer; a frontier point is re-filled with this plan's totals.
    var point = planner.point(0)
    point.index = nil
    point.fileBytes = fixed + bytes
    point.bitsPerWeight = AutoFigures.bitsPerWeight(bytes: quantizedBytes, elements: table.quantizableElements)
    point.error = error
    point.sqnrDB = table.kind.isEnergy ? AutoFigures.sqnrDB(signal: table.totalSignal, noise: error) : nil
    return point
  }

  /// `autopilot` applied over the current plan: tensors the autopilot does not decide keep their
  /// current scheme, everything it decides (pins included) takes its choice.
  func merging(autopilot: Plan, table: SensitivityTable) -> Plan {
    var result = Plan()
    let decided = Set(table.tensors.map(\.name))
    for (index, row) in model.rows.enumerated() where !decided.contains(row.name) {
      if let scheme = planned[index] { result.tensors[row.name] = scheme }
    }
    for (name, scheme) in autopilot.tensors { result.tensors[name] = scheme }
    return result
  }
}

import Foundation
import QuantEngine
import TensorCore

/// A fixed choice for one tensor that the solver must honour.
public enum PinnedChoice: Sendable, Hashable {
  case keep
  case scheme(Scheme)

  public var scheme: Scheme? {
    if case let .scheme(s) = self { return s }
    return nil
  }
}

/// Constraints on the solve: pinned tensors and tensors that must share one scheme.
public struct AutoConstraints: Sendable, Equatable {
  /// Tensor name → its fixed choice.
  public var pinned: [String: PinnedChoice]
  /// Each inner list names tensors that must take the same scheme (e.g. q/k/v of one block).
  public var groups: [[String]]
  public init(pinned: [String: PinnedChoice] = [:], groups: [[String]] = []) {
    self.pinned = pinned; self.groups = groups
  }
}

/// One point of the size/error frontier with the totals a table or the TUI shows.
public struct AutoPoint: Sendable, Equatable {
  /// Index into ``AutoPlanner/points`` (nil for points off the hull, e.g. refined solutions).
  public var index: Int?
  /// Estimated size of the written file.
  public var fileBytes: Int
  /// Stored bits per weight over the quantizable tensors.
  public var bitsPerWeight: Double
  /// Total estimated error, in the table's ``SensitivityKind``.
  public var error: Double
  /// Parameter-weighted SQNR in dB (energy kinds only).
  public var sqnrDB: Double?

  /// "12.3 KiB, 4.50 bpw, SQNR 21.3 dB" — for messages.
  public var summary: String {
    var text = "\(Format.bytes(fileBytes)), \(String(format: "%.2f", bitsPerWeight)) bpw"
    if let sqnrDB { text += ", SQNR \(Format.decibels(sqnrDB)) dB" } else { text += ", error \(Format.number(error))" }
    return text
  }
}

/// The autopilot's solver state for one sensitivity table and one set of constraints: the whole
/// frontier, plans for any point, and solves for targets. Cheap to rebuild when pins change (the
/// table is the expensive part and is reused).
public struct AutoPlanner: Sendable {
  public let table: SensitivityTable
  public let constraints: AutoConstraints
  /// The knapsack: one item per free tensor or group, and one single-option item per pin.
  public let problem: KnapsackProblem
  public let frontier: KnapsackFrontier
  /// Per item: the table rows it covers and the scheme of each of its options.
  let members: [[Int]]
  let optionSchemes: [[Scheme?]]
  /// File bytes that no choice changes (tensors outside the table).
  let fixedBytes: Int
  /// Item bytes that belong to non-quantizable (pinned extra) tensors, excluded from bpw.
  let nonQuantizableBytes: [Int: Int]

  public init(table: SensitivityTable, constraints: AutoConstraints = AutoConstraints()) throws(AutopilotError) {
    self.table = table
    self.constraints = constraints
    let rowByName = Dictionary(table.tensors.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
    for name in constraints.pinned.keys where rowByName[name] == nil {
      throw .badConstraint("pinned tensor '\(name)' is not one the autopilot may change")
    }
    var grouped = Set<Int>()
    var units: [[Int]] = []
    for group in constraints.groups {
      var rows: [Int] = []
      for name in group {
        guard let row = rowByName[name] else { throw .badConstraint("grouped tensor '\(name)' is not one the autopilot may change") }
        guard !grouped.contains(row) else { throw .badConstraint("tensor '\(name)' is in more than one group") }
        grouped.insert(row)
        rows.append(row)
      }
      if !rows.isEmpty { units.append(rows) }
    }
    for row in table.tensors.indices where !grouped.contains(row) { units.append([row]) }

    var items: [[KnapsackOption]] = []
    var schemes: [[Scheme?]] = []
    var nonQuantizable: [Int: Int] = [:]
    for unit in units {
      let rows = unit.map { table.tensors[$0] }
      // Options every member has; "keep" always qualifies.
      var common: [Scheme?] = rows[0].candidates.map(\.scheme)
      for row in rows.dropFirst() { common = common.filter { s in row.candidates.contains { $0.scheme == s } } }
      let pins = Set(rows.compactMap { constraints.pinned[$0.name] })
      if pins.count > 1 {
        throw .badConstraint("tensors of one group are pinned to different schemes: \(rows.map(\.name).joined(separator: ", "))")
      }
      if let pin = pins.first {
        guard common.contains(pin.scheme) else {
          throw .badConstraint("pinned scheme \(pin.scheme?.rawValue ?? "keep") is not a candidate for \(rows.map(\.name).joined(separator: ", "))")
        }
        common = [pin.scheme]
      }
      var options: [KnapsackOption] = []
      for scheme in common {
        var option = KnapsackOption(bytes: 0, error: 0)
        for row in rows {
          guard let cost = row.cost(of: scheme) else { continue }
          option.bytes += cost.bytes
          option.error += cost.error
        }
        options.append(option)
      }
      let extra = rows.filter { !$0.isQuantizable }
      if !extra.isEmpty {
        // Pinned non-quantizable tensors have one option; their bytes never count towards bpw.
        nonQuantizable[items.count] = extra.reduce(0) { $0 + ($1.cost(of: common.first ?? nil)?.bytes ?? $1.originalBytes) }
      }
      items.append(options)
      schemes.append(common)
    }
    self.members = units
    self.optionSchemes = schemes
    self.nonQuantizableBytes = nonQuantizable
    self.problem = KnapsackProblem(items: items)
    self.frontier = KnapsackFrontier(problem)
    self.fixedBytes = table.fileBytes - table.tensors.reduce(0) { $0 + $1.originalBytes }
  }

  /// Number of frontier points (smallest first).
  public var pointCount: Int { frontier.count }

  /// The frontier point `k` with its totals (0 = smallest plan, last = least error).
  public func point(_ k: Int) -> AutoPoint {
    var p = totals(itemBytes: frontier.bytes[k], error: frontier.errors[k])
    p.index = k
    return p
  }

  /// Every frontier point (thousands for big models; use ``point(_:)`` to page).
  public var points: [AutoPoint] { (0..<frontier.count).map(point) }

  /// Totals for any choice (one option index per item).
  public func totals(of choice: [Int]) -> AutoPoint {
    let (bytes, error) = problem.totals(choice)
    return totals(itemBytes: bytes, error: error)
  }

  func totals(itemBytes: Int, error: Double) -> AutoPoint {
    let quantizedBytes = itemBytes - nonQuantizableBytes.values.reduce(0, +)
    return AutoPoint(
      index: nil, fileBytes: fixedBytes + itemBytes,
      bitsPerWeight: AutoFigures.bitsPerWeight(bytes: quantizedBytes, elements: table.quantizableElements),
      error: error,
      sqnrDB: table.kind.isEnergy ? AutoFigures.sqnrDB(signal: table.totalSignal, noise: error) : nil)
  }

  /// Scheme per tensor name for a choice (nil: keep).
  public func assignment(of choice: [Int]) -> [String: Scheme?] {
    var result: [String: Scheme?] = [:]
    for (item, rows) in members.enumerated() {
      let option = item < choice.count ? choice[item] : 0
      let scheme = optionSchemes[item].indices.contains(option) ? optionSchemes[item][option] : nil
      for row in rows { result[table.tensors[row].name] = .some(scheme) }
    }
    return result
  }

  /// The plan file for a choice: an exact `tensors` entry for every changed tensor, no default.
  public func plan(of choice: [Int]) -> Plan {
    var plan = Plan()
    for (name, scheme) in assignment(of: choice) { if let scheme { plan.tensors[name] = scheme } }
    return plan
  }

  /// Choice, plan and totals of frontier point `k`.
  public func plan(atPoint k: Int) -> Plan { plan(of: frontier.choice(at: k)) }
  public func assignment(atPoint k: Int) -> [String: Scheme?] { assignment(of: frontier.choice(at: k)) }

  /// Totals when every quantizable tensor takes `scheme` where it is a candidate (else keeps),
  /// ignoring pins and groups: the uniform baselines the autopilot is compared against.
  public func uniform(_ scheme: Scheme) -> AutoPoint {
    var bytes = 0
    var error = 0.0
    for row in table.tensors {
      let cost = (row.isQuantizable ? row.cost(of: scheme) : nil) ?? row.cost(of: nil)
      bytes += cost?.bytes ?? row.originalBytes
      error += cost?.error ?? 0
    }
    let extra = table.tensors.filter { !$0.isQuantizable }.reduce(0) { $0 + $1.originalBytes }
    return AutoPoint(
      index: nil, fileBytes: fixedBytes + bytes,
      bitsPerWeight: AutoFigures.bitsPerWeight(bytes: bytes - extra, elements: table.quantizableElements),
      error: error, sqnrDB: table.kind.isEnergy ? AutoFigures.sqnrDB(signal: table.totalSignal, noise: error) : nil)
  }
}

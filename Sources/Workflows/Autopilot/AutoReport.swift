import Foundation
import QuantEngine

/// The text `qscope auto` prints: frontier rows with the chosen plan marked, the uniform schemes
/// for comparison, and the chosen totals.
public struct AutoReport: Sendable {
  public var planner: AutoPlanner
  public var solution: AutoSolution
  public var rows: Int
  public var inputBytes: Int

  public init(planner: AutoPlanner, solution: AutoSolution, rows: Int, inputBytes: Int) {
    self.planner = planner; self.solution = solution; self.rows = rows; self.inputBytes = inputBytes
  }

  func cells(_ mark: String, _ label: String, _ p: AutoPoint) -> [String] {
    let percent = inputBytes > 0 ? String(format: "%.1f%%", Double(p.fileBytes) * 100 / Double(inputBytes)) : "-"
    return [
      mark, label, Format.bytes(p.fileBytes), percent, String(format: "%.3f", p.bitsPerWeight), Format.number(p.error),
      p.sqnrDB.map(Format.decibels) ?? "-",
    ]
  }

  public func text() -> String {
    let table = planner.table
    var out = "frontier: \(planner.pointCount) points over \(table.tensors.count) tensors, "
    out += "\(table.schemes.count) candidate schemes for \(table.targetFormat.rawValue); error = \(table.kind.label)\n"
    let header = ["", "point", "size", "of input", "bpw", "est. error", "SQNR dB"]
    var listed: [(bytes: Int, cells: [String])] = planner.sampledPoints(rows, including: [solution.hullPoint]).map { k in
      let p = planner.point(k)
      return (p.fileBytes, cells(" ", "#\(k)", p))
    }
    listed.removeAll { $0.bytes == solution.point.fileBytes && $0.cells[5] == Format.number(solution.point.error) }
    listed.append((solution.point.fileBytes, cells("*", solution.exact ? "chosen" : "chosen~", solution.point)))
    listed.sort { $0.bytes < $1.bytes }
    out += TextTable.render(header: header, rows: listed.map(\.cells), rightAligned: [2, 3, 4, 5, 6])
    out += "\nuniform schemes (every quantizable tensor where storable):\n"
    var uniform: [[String]] = []
    for scheme in table.schemes {
      let p = planner.uniform(scheme)
      let fits = fitsTarget(p)
      uniform.append(cells(fits ? "fits" : "", scheme.rawValue, p))
    }
    out += TextTable.render(header: header, rows: uniform, rightAligned: [2, 3, 4, 5, 6])
    let changed = solution.plan.tensors.count
    out += "\nchosen: \(solution.point.summary) for target \(solution.target.description); "
    let how: String
    if case .minAccuracy = solution.target {
      how = "smallest frontier point whose full evaluation reaches it"
    } else {
      how = solution.exact ? "optimal for the estimated errors" : "refined hull point (search too large for a proof)"
    }
    out += "\(changed) tensor(s) changed; \(how)\n"
    return out
  }

  /// Whether a point meets the solution's size/bpw/error target (never for accuracy targets).
  public func fitsTarget(_ p: AutoPoint) -> Bool {
    switch solution.target {
    case let .fileBytes(bytes): return p.fileBytes <= bytes
    case let .percentOfInput(pct): return Double(p.fileBytes) <= Double(inputBytes) * pct / 100
    case let .bitsPerWeight(bpw): return p.bitsPerWeight <= bpw + 1e-12
    case let .maxError(limit): return p.error <= limit
    case let .minSQNR(db): return (p.sqnrDB ?? -.infinity) >= db
    case .minAccuracy: return false
    }
  }
}

import Foundation
import QuantEngine

/// What the autopilot must achieve.
public enum AutoTarget: Sendable, Equatable {
  /// The written file is at most this many bytes.
  case fileBytes(Int)
  /// The file is at most this percentage of the input file's size.
  case percentOfInput(Double)
  /// Average stored bits per weight over the quantizable tensors is at most this.
  case bitsPerWeight(Double)
  /// The total estimated error (in the table's kind) is at most this; the smallest plan wins.
  case maxError(Double)
  /// The parameter-weighted SQNR (energy kinds only) is at least this many dB.
  case minSQNR(Double)
  /// Measured accuracy (a fraction) of the whole plan is at least this; needs an evaluation
  /// session (``AutoPlanner/smallest(reachingAccuracy:session:token:)``).
  case minAccuracy(Double)

  /// Parses `--target-size`: bytes with an optional K/M/G (×1024) suffix, or PCT%.
  public static func parseSize(_ text: String) -> AutoTarget? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if trimmed.hasSuffix("%") {
      guard let value = Double(trimmed.dropLast()), value > 0, value.isFinite else { return nil }
      return .percentOfInput(value)
    }
    let units: [Character: Double] = ["k": 1024, "m": 1024 * 1024, "g": 1024 * 1024 * 1024]
    var number = Substring(trimmed.lowercased())
    if number.hasSuffix("ib") { number = number.dropLast(2) } else if number.hasSuffix("b") { number = number.dropLast() }
    var scale = 1.0
    if let last = number.last, let unit = units[last] { scale = unit; number = number.dropLast() }
    guard let value = Double(number), value > 0, (value * scale).isFinite, value * scale < 9e18 else { return nil }
    return .fileBytes(Int((value * scale).rounded(.down)))
  }

  /// How the target reads in messages.
  public var description: String {
    switch self {
    case let .fileBytes(bytes): return "size \(Format.bytes(bytes))"
    case let .percentOfInput(pct): return "size \(Format.number(pct))% of the input"
    case let .bitsPerWeight(bpw): return "\(Format.number(bpw)) bits per weight"
    case let .maxError(error): return "error \(Format.number(error))"
    case let .minSQNR(db): return "SQNR \(Format.number(db)) dB"
    case let .minAccuracy(a): return "accuracy \(Format.number(a * 100))%"
    }
  }
}

/// Why the autopilot could not give a plan.
public enum AutopilotError: Error, Equatable, Sendable, CustomStringConvertible {
  /// No plan meets the target; `closest` describes the nearest reachable point.
  case unreachable(target: String, closest: String)
  /// Pins or groups contradict each other or the candidates.
  case badConstraint(String)

  public var description: String {
    switch self {
    case let .unreachable(target, closest):
      return "no plan reaches the target \(target); the closest reachable plan is \(closest); no plan written"
    case let .badConstraint(message):
      return message
    }
  }
}

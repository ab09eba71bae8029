import Foundation
import QuantEngine
import TensorCore

/// Which number a sensitivity is. Every figure the autopilot shows says which kind it is, because
/// the kinds are not comparable with each other.
public enum SensitivityKind: String, Sendable, CaseIterable {
  /// Data-free: quantization noise energy Σ(x − x̂)² of the weights.
  case weightNoise = "weight-noise"
  /// Noise energy weighted per input column by an importance vector (llama.cpp imatrix or
  /// per-channel ⟨a²⟩): Σ_j imp_j Σ_i (x_ij − x̂_ij)².
  case importanceWeighted = "importance-weighted"
  /// Measured: change of the model's output KL divergence with only that tensor quantized.
  case measuredKL = "measured-kl"

  /// Short label for table headers and the TUI column.
  public var label: String {
    switch self {
    case .weightNoise: return "proxy Σ(x−x̂)²"
    case .importanceWeighted: return "proxy Σ imp·(x−x̂)²"
    case .measuredKL: return "measured KL"
    }
  }

  /// True when the errors are energies, so totals can be shown as an SQNR in dB.
  public var isEnergy: Bool { self != .measuredKL }
}

/// One candidate for one tensor: the scheme (nil keeps the stored tensor), its stored bytes and
/// its estimated error contribution.
public struct CandidateCost: Sendable, Equatable {
  public var scheme: Scheme?
  public var bytes: Int
  public var error: Double
  public init(scheme: Scheme?, bytes: Int, error: Double) {
    self.scheme = scheme; self.bytes = bytes; self.error = error
  }

  /// "keep" or the scheme name.
  public var name: String { scheme?.rawValue ?? "keep" }
}

/// Every candidate's cost for one tensor.
public struct TensorSensitivity: Sendable, Equatable {
  public var tensorIndex: Int
  public var name: String
  public var elements: Int
  public var originalBytes: Int
  public var isQuantizable: Bool
  /// Σx² of the stored values (importance-weighted like the errors when importance is used);
  /// the denominator of SQNR figures.
  public var signal: Double
  /// "keep" first, then the storable candidates in the order they were asked for.
  public var candidates: [CandidateCost]
  /// Candidates left out, with the reason (not storable here, engine refused, …).
  public var excluded: [(scheme: Scheme, reason: String)]

  public init(
    tensorIndex: Int, name: String, elements: Int, originalBytes: Int, isQuantizable: Bool, signal: Double,
    candidates: [CandidateCost], excluded: [(scheme: Scheme, reason: String)] = []
  ) {
    self.tensorIndex = tensorIndex; self.name = name; self.elements = elements
    self.originalBytes = originalBytes; self.isQuantizable = isQuantizable; self.signal = signal
    self.candidates = candidates; self.excluded = excluded
  }

  public static func == (a: TensorSensitivity, b: TensorSensitivity) -> Bool {
    a.tensorIndex == b.tensorIndex && a.name == b.name && a.candidates == b.candidates && a.signal == b.signal
      && a.excluded.map(\.scheme) == b.excluded.map(\.scheme)
  }

  /// The cost of `scheme` (nil: keep), if it is a candidate.
  public func cost(of scheme: Scheme?) -> CandidateCost? { candidates.first { $0.scheme == scheme } }

  /// SQNR in dB of a candidate for this tensor alone (energy kinds only).
  public func sqnrDB(of scheme: Scheme?) -> Double? {
    guard let cost = cost(of: scheme) else { return nil }
    return AutoFigures.sqnrDB(signal: signal, noise: cost.error)
  }
}

/// Per tensor × candidate scheme: estimated error and stored bytes, for the tensors the autopilot
/// may change. The cache the solver and the TUI's sensitivity column read from.
public struct SensitivityTable: Sendable {
  public var kind: SensitivityKind
  /// Size of the input file; plan sizes are this minus replaced tensors plus their new size.
  public var fileBytes: Int
  /// The format the candidates were checked against (may differ from the input's: measure only).
  public var targetFormat: ModelFormatKind
  public var tensors: [TensorSensitivity]

  public init(kind: SensitivityKind, fileBytes: Int, targetFormat: ModelFormatKind, tensors: [TensorSensitivity]) {
    self.kind = kind; self.fileBytes = fileBytes; self.targetFormat = targetFormat; self.tensors = tensors
  }

  /// The entry for a model tensor index.
  public func entry(forTensor index: Int) -> TensorSensitivity? { tensors.first { $0.tensorIndex == index } }
  public func entry(named name: String) -> TensorSensitivity? { tensors.first { $0.name == name } }

  /// Σ signal over quantizable tensors: the denominator of the parameter-weighted error.
  public var totalSignal: Double { tensors.filter(\.isQuantizable).reduce(0) { $0 + $1.signal } }
  /// Σ elements over quantizable tensors: the denominator of bits per weight.
  public var quantizableElements: Int { tensors.filter(\.isQuantizable).reduce(0) { $0 + $1.elements } }

  /// Every scheme that is a candidate for at least one tensor, in first-seen order.
  public var schemes: [Scheme] {
    var seen: [Scheme] = []
    for tensor in tensors { for c in tensor.candidates { if let s = c.scheme, !seen.contains(s) { seen.append(s) } } }
    return seen
  }
}

/// The shared definitions of the figures the autopilot reports.
public enum AutoFigures {
  /// Parameter-weighted SQNR in dB: 10·log10(Σ signal / Σ noise) over all quantizable tensors —
  /// the one definition used for plans, uniform schemes and tests. +inf when there is no noise.
  public static func sqnrDB(signal: Double, noise: Double) -> Double {
    if noise <= 0 { return .infinity }
    if signal <= 0 { return -.infinity }
    return 10 * log10(signal / noise)
  }

  /// Average stored bits per weight.
  public static func bitsPerWeight(bytes: Int, elements: Int) -> Double {
    elements > 0 ? Double(bytes) * 8 / Double(elements) : 0
  }
}


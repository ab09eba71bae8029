import ModelFormats
import QuantEngine
import TensorCore

/// Failures of the shared engine facade, each phrased as one line for the user.
public enum WorkflowError: Error, Equatable, Sendable, CustomStringConvertible {
  case format(FormatError)
  case file(FileError)
  /// A tensor holds NaN or Inf and cannot be quantized.
  case nonFinite(file: String, tensor: String, count: Int, firstIndex: Int)
  /// The engine refused a tensor (shape not divisible by the block size, …).
  case quantization(file: String, tensor: String, reason: String)
  /// The tensor's stored type cannot be turned into float32 values.
  case undecodable(file: String, tensor: String, reason: String)
  case badPlan(file: String, reason: String)
  case unknownScheme(String)
  case unknownPreset(name: String, format: String, known: [String])
  case notStorable(file: String, tensor: String, scheme: String, reason: String)
  case badOption(String)
  case cancelled

  public var description: String {
    switch self {
    case let .format(error): return error.description
    case let .file(error): return error.description
    case let .nonFinite(file, tensor, count, first):
      return "\(file): tensor '\(tensor)' holds \(count) NaN/Inf value(s) (first at element \(first)); refusing to quantize it"
    case let .quantization(file, tensor, reason):
      return "\(file): cannot quantize tensor '\(tensor)': \(reason)"
    case let .undecodable(file, tensor, reason):
      return "\(file): cannot decode tensor '\(tensor)': \(reason)"
    case let .badPlan(file, reason):
      return "\(file): invalid plan: \(reason)"
    case let .unknownScheme(name):
      return "unknown scheme '\(name)' (known: \(Scheme.allCases.map(\.rawValue).joined(separator: ", ")))"
    case let .notStorable(file, tensor, scheme, reason):
      return "\(file): tensor '\(tensor)' cannot be stored as \(scheme): \(reason)"
    case let .unknownPreset(name, format, known):
      return "unknown preset '\(name)' for \(format) (known: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
    case let .badOption(message):
      return message
    case .cancelled:
      return "cancelled"
    }
  }
}

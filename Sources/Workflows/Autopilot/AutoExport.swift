import Foundation
import QuantEngine
import TensorCore

/// Writes an autopilot assignment in the form other tools take.
public enum AutoExport {
  /// llama-quantize's spelling of a scheme's ggml type (`q4_K`, `q8_0`, `f16`); nil for schemes
  /// that are not ggml model-file types.
  public static func llamaTypeName(_ scheme: Scheme) -> String? {
    switch scheme {
    case .f32: return "f32"
    case .f16: return "f16"
    case .bf16: return "bf16"
    case .q2_k, .q3_k, .q4_k, .q5_k, .q6_k: return String(scheme.rawValue.dropLast()) + "K"
    case .q8_0, .q4_0, .q4_1, .q5_0, .q5_1: return scheme.rawValue
    default: return nil
    }
  }

  /// llama-quantize spelling of a stored dtype kept as it is (f32, f16, bf16, q4_K, …).
  static func llamaTypeName(_ dtype: DType) -> String? {
    if let scheme = Scheme.allCases.first(where: { AutoCandidates.sameAsStored($0, dtypeOnly: dtype) }) {
      return llamaTypeName(scheme)
    }
    return nil
  }

  /// A `--tensor-type-file` for llama-quantize: one `^name$=type` line per tensor (anchored,
  /// dots escaped, so llama-quantize's first-match-wins search hits exactly that tensor). Kept
  /// tensors are written with their stored type so the preset's mixture cannot change them.
  /// - Throws: when a scheme has no ggml spelling (e.g. int8), naming the tensor.
  public static func llamaQuantizeTypes(
    _ assignment: [String: Scheme?], storedTypes: [String: DType]
  ) throws(WorkflowError) -> String {
    var lines: [String] = []
    for name in assignment.keys.sorted() {
      let type: String?
      if let scheme = assignment[name] ?? nil {
        type = llamaTypeName(scheme)
        if type == nil { throw .badOption("--export llama-quantize: \(scheme.rawValue) on '\(name)' is not a ggml type") }
      } else {
        type = storedTypes[name].flatMap { llamaTypeName($0) }
      }
      guard let type else { continue }
      // llama-quantize lower-cases the pattern part; names are written as they are.
      lines.append("^" + NSRegularExpression.escapedPattern(for: name) + "$=" + type)
    }
    return lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
  }
}

extension AutoCandidates {
  /// Whether `scheme` is a float cast to the stored type `dtype` (writing it changes nothing).
  public static func sameAsStored(_ scheme: Scheme, dtypeOnly dtype: DType) -> Bool {
    switch scheme {
    case .f32: return dtype == .f32
    case .f16: return dtype == .f16
    case .bf16: return dtype == .bf16
    default: return scheme.blockType == dtype
    }
  }
}

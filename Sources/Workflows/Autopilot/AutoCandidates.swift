import Foundation
import ModelFormats
import QuantEngine
import TensorCore

/// Which schemes the autopilot tries for each tensor.
public enum AutoCandidates {
  /// The default candidates for a target format, larger first. "keep" is always added.
  public static func defaultSchemes(for format: ModelFormatKind) -> [Scheme] {
    switch format {
    case .gguf: return [.f16, .q8_0, .q6_k, .q5_k, .q5_0, .q4_k, .q4_0, .q3_k, .q2_k]
    case .safetensors: return [.f16, .int8, .int4G128, .int4]
    // int8-tensor: the one int8 form TFLite's recurrent kernels (LSTM, RNN, SVDF) take.
    case .tflite: return [.f16, .int8, .int8Tensor, .int4]
    default: return [.f16, .int8, .int4]
    }
  }

  /// The candidates of `schemes` that `format` can store for `tensor`, with bytes, and the
  /// others with the reason they are left out. A float cast to the tensor's own stored type is
  /// the same as keeping it and is skipped.
  public static func storable(
    _ schemes: [Scheme], tensor: ModelTensor, in model: Model, format: any ModelFormat.Type
  ) -> (schemes: [(scheme: Scheme, bytes: Int)], excluded: [(scheme: Scheme, reason: String)]) {
    var kept: [(Scheme, Int)] = []
    var excluded: [(Scheme, String)] = []
    for scheme in schemes {
      if sameAsStored(scheme, tensor) { continue }
      let encoding = scheme.encoding(channelAxis: tensor.channelAxis)
      if case let .notStorable(reason) = format.canStore(encoding, tensor: tensor, in: model) {
        excluded.append((scheme, "\(format.kind.rawValue) cannot store it here: \(reason)"))
        continue
      }
      do {
        kept.append((scheme, try Quantizer.storedBytes(scheme: scheme, shape: tensor.shape, channelAxis: tensor.channelAxis)))
      } catch {
        excluded.append((scheme, error.description))
      }
    }
    return (kept, excluded)
  }

  static func sameAsStored(_ scheme: Scheme, _ tensor: ModelTensor) -> Bool {
    guard tensor.storedQuantization == nil else { return false }
    switch scheme {
    case .f32: return tensor.dtype == .f32
    case .f16: return tensor.dtype == .f16
    case .bf16: return tensor.dtype == .bf16
    default: return scheme.blockType == tensor.dtype
    }
  }

  /// Parses "a,b,c" (scheme names, case-insensitive; "keep" is accepted and implied).
  public static func parseList(_ text: String) throws(WorkflowError) -> [Scheme] {
    var schemes: [Scheme] = []
    for part in text.split(separator: ",") {
      let name = part.trimmingCharacters(in: .whitespaces).lowercased()
      if name.isEmpty || name == "keep" { continue }
      guard let scheme = Scheme(rawValue: name) else { throw .unknownScheme(name) }
      if !schemes.contains(scheme) { schemes.append(scheme) }
    }
    return schemes
  }
}

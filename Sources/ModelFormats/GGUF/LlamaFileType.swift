import TensorCore

/// llama.cpp's `llama_ftype`: the value of `general.file_type`, and the presets of llama-quantize.
public enum LlamaFileType: Int, Sendable, CaseIterable {
  case allF32 = 0, mostlyF16 = 1, q4_0 = 2, q4_1 = 3, q8_0 = 7, q5_0 = 8, q5_1 = 9
  case q2_k = 10, q3_k_s = 11, q3_k_m = 12, q3_k_l = 13, q4_k_s = 14, q4_k_m = 15
  case q5_k_s = 16, q5_k_m = 17, q6_k = 18, iq2_xxs = 19, iq2_xs = 20, q2_k_s = 21, iq3_xs = 22
  case iq3_xxs = 23, iq1_s = 24, iq4_nl = 25, iq3_s = 26, iq3_m = 27, iq2_s = 28, iq2_m = 29
  case iq4_xs = 30, iq1_m = 31, bf16 = 32, tq1_0 = 36, tq2_0 = 37, mxfp4_moe = 38, nvfp4 = 39

  /// The preset name as llama-quantize prints it ("Q4_K_M").
  public var name: String {
    switch self {
    case .allF32: return "F32"
    case .mostlyF16: return "F16"
    case .bf16: return "BF16"
    case .mxfp4_moe: return "MXFP4_MOE"
    default: return String(describing: self).uppercased()
    }
  }

  /// The presets QuantScope offers, by lower-case name (architecture.md: `--preset q4_k_m`).
  public static let presets: [String: LlamaFileType] = [
    "q2_k": .q2_k, "q3_k_s": .q3_k_s, "q3_k_m": .q3_k_m, "q3_k_l": .q3_k_l, "q4_0": .q4_0, "q4_1": .q4_1,
    "q5_0": .q5_0, "q5_1": .q5_1, "q4_k_s": .q4_k_s, "q4_k_m": .q4_k_m, "q5_k_s": .q5_k_s, "q5_k_m": .q5_k_m,
    "q6_k": .q6_k, "q8_0": .q8_0, "f16": .mostlyF16, "bf16": .bf16, "f32": .allF32,
    // llama-quantize's aliases.
    "q3_k": .q3_k_m, "q4_k": .q4_k_m, "q5_k": .q5_k_m,
  ]

  /// Looks up a preset by name, case-insensitively.
  public init?(preset: String) {
    guard let value = LlamaFileType.presets[preset.lowercased()] else { return nil }
    self = value
  }

  /// The type every quantizable tensor starts from (`llama_ftype_get_default_type`).
  public var defaultType: DType {
    switch self {
    case .allF32: return .f32
    case .mostlyF16: return .f16
    case .bf16: return .bf16
    case .q4_0: return .q4_0
    case .q4_1: return .q4_1
    case .q5_0: return .q5_0
    case .q5_1: return .q5_1
    case .q8_0: return .q8_0
    case .q2_k, .q2_k_s: return .q2_k
    case .q3_k_s, .q3_k_m, .q3_k_l: return .q3_k
    case .q4_k_s, .q4_k_m: return .q4_k
    case .q5_k_s, .q5_k_m: return .q5_k
    case .q6_k: return .q6_k
    case .iq2_xxs: return .iq2_xxs
    case .iq2_xs, .iq2_s: return .iq2_xs
    case .iq2_m: return .iq2_s
    case .iq3_xxs: return .iq3_xxs
    case .iq3_xs, .iq3_s, .iq3_m: return .iq3_s
    case .iq1_s: return .iq1_s
    case .iq1_m: return .iq1_m
    case .iq4_nl: return .iq4_nl
    case .iq4_xs: return .iq4_xs
    case .tq1_0: return .tq1_0
    case .tq2_0: return .tq2_0
    case .mxfp4_moe: return .mxfp4
    case .nvfp4: return .nvfp4
    }
  }

  /// The file type describing a single tensor type (used when no preset names the mixture).
  public static func mostly(_ type: DType) -> LlamaFileType? {
    switch type {
    case .f32: return .allF32
    case .f16: return .mostlyF16
    case .bf16: return .bf16
    case .q4_0: return .q4_0
    case .q4_1: return .q4_1
    case .q5_0: return .q5_0
    case .q5_1: return .q5_1
    case .q8_0: return .q8_0
    case .q2_k: return .q2_k
    case .q3_k: return .q3_k_m
    case .q4_k: return .q4_k_m
    case .q5_k: return .q5_k_m
    case .q6_k: return .q6_k
    case .iq4_nl: return .iq4_nl
    case .iq4_xs: return .iq4_xs
    case .tq1_0: return .tq1_0
    case .tq2_0: return .tq2_0
    case .nvfp4: return .nvfp4
    default: return nil
    }
  }
}

import TensorCore

/// The ggml tensor type ids that GGUF stores, mapped to and from ``DType``.
///
/// Ids come from ggml's `ggml_type` enum. Removed ids (4, 5, 31–33, 36–38) and ids newer than our
/// ``DType`` knows (Q1_0 41, Q2_0 42) are reported by name so a user can tell a
/// corrupt file from a newer one.
public enum GGMLTypeTable {
  /// id → dtype for every ggml type we can represent.
  public static let dtypeByID: [UInt32: DType] = [
    0: .f32, 1: .f16, 2: .q4_0, 3: .q4_1, 6: .q5_0, 7: .q5_1, 8: .q8_0, 9: .q8_1,
    10: .q2_k, 11: .q3_k, 12: .q4_k, 13: .q5_k, 14: .q6_k, 15: .q8_k,
    16: .iq2_xxs, 17: .iq2_xs, 18: .iq3_xxs, 19: .iq1_s, 20: .iq4_nl, 21: .iq3_s, 22: .iq2_s,
    23: .iq4_xs, 24: .i8, 25: .i16, 26: .i32, 27: .i64, 28: .f64, 29: .iq1_m, 30: .bf16,
    34: .tq1_0, 35: .tq2_0, 39: .mxfp4, 40: .nvfp4,
  ]

  /// Ids ggml once used or uses now that we cannot represent, with their names.
  public static let knownButUnsupported: [UInt32: String] = [
    4: "Q4_2 (removed)", 5: "Q4_3 (removed)", 31: "Q4_0_4_4 (removed)", 32: "Q4_0_4_8 (removed)",
    33: "Q4_0_8_8 (removed)", 36: "IQ4_NL_4_4 (removed)", 37: "IQ4_NL_4_8 (removed)",
    38: "IQ4_NL_8_8 (removed)", 41: "Q1_0", 42: "Q2_0",
  ]

  private static let idByDType: [DType: UInt32] = {
    var table: [DType: UInt32] = [:]
    for (id, dtype) in dtypeByID { table[dtype] = id }
    return table
  }()

  /// The ggml id of a dtype, nil when GGUF cannot store it (e.g. U8, BOOL, F8).
  public static func id(of dtype: DType) -> UInt32? { idByDType[dtype] }

  /// The dtype of a ggml id, nil when unknown or unsupported.
  public static func dtype(of id: UInt32) -> DType? { dtypeByID[id] }

  /// Q8_1 and Q8_K are activation intermediates; ggml never writes them to model files.
  public static func isModelFileType(_ dtype: DType) -> Bool {
    id(of: dtype) != nil && dtype != .q8_1 && dtype != .q8_k
  }
}

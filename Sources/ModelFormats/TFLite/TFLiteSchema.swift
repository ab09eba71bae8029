import TensorCore

/// The parts of TFLite's schema (schema.fbs, revision 3c/3d) that our reader and writer use by
/// name: field ids, tensor types and op codes. The full field-kind tables are generated.
public enum TFLiteSchema {
  /// The schema as a FlatBuffers walker needs it.
  public static let schema = FlatBufferSchema(specs: tableSpecs, unions: unionSpecs)
  public static let identifier = "TFL3"

  enum ModelField { static let version = 0, operatorCodes = 1, subgraphs = 2, description = 3, buffers = 4,
    metadata = 6, signatureDefs = 7 }
  enum SubGraphField { static let tensors = 0, inputs = 1, outputs = 2, operators = 3, name = 4 }
  enum TensorField { static let shape = 0, type = 1, buffer = 2, name = 3, quantization = 4, isVariable = 5,
    sparsity = 6 }
  enum QuantField { static let scale = 2, zeroPoint = 3, detailsType = 4, quantizedDimension = 6 }
  enum OperatorField { static let opcodeIndex = 0, inputs = 1, outputs = 2, optionsType = 3, options = 4,
    customOptions = 5, largeCustomOptionsOffset = 9, largeCustomOptionsSize = 10 }
  enum OpCodeField { static let deprecatedCode = 0, customCode = 1, version = 2, builtinCode = 3 }
  enum BufferField { static let data = 0, offset = 1, size = 2 }
  enum MetadataField { static let name = 0, buffer = 1 }
  enum SignatureField { static let inputs = 0, outputs = 1, key = 2, subgraphIndex = 4 }
  enum TensorMapField { static let name = 0, tensorIndex = 1 }

  /// TensorType values.
  public enum TensorType: Int8, Sendable {
    case float32 = 0, float16 = 1, int32 = 2, uint8 = 3, int64 = 4, string = 5, bool = 6, int16 = 7
    case complex64 = 8, int8 = 9, float64 = 10, complex128 = 11, uint64 = 12, resource = 13, variant = 14
    case uint32 = 15, uint16 = 16, int4 = 17, bfloat16 = 18

    /// The matching plain dtype, or nil for types without fixed-size elements.
    public var dtype: DType? {
      switch self {
      case .float32: return .f32
      case .float16: return .f16
      case .int32: return .i32
      case .uint8: return .u8
      case .int64: return .i64
      case .bool: return .bool
      case .int16: return .i16
      case .complex64: return .c64
      case .int8: return .i8
      case .float64: return .f64
      case .uint64: return .u64
      case .uint32: return .u32
      case .uint16: return .u16
      case .int4: return .i4
      case .bfloat16: return .bf16
      case .string, .complex128, .resource, .variant: return nil
      }
    }
  }

  /// Builtin op codes the reader and writer treat specially.
  public enum Op {
    public static let conv2D: Int32 = 3, depthwiseConv2D: Int32 = 4, dequantize: Int32 = 6
    public static let embeddingLookup: Int32 = 7, fullyConnected: Int32 = 9, lstm: Int32 = 16
    public static let custom: Int32 = 32, gather: Int32 = 36, transposeConv: Int32 = 67
    public static let densify: Int32 = 124, batchMatMul: Int32 = 126, placeholderForGreater: Int32 = 127
    public static let conv3D: Int32 = 132
    /// Recurrent ops: their kernels pick float or hybrid for all weights at once from one weight's
    /// type, so their weights are re-encoded as a group (see ``TFLiteRecurrentWeights``).
    public static let recurrent: [Int32] = [16, 24, 27, 35, 44, 46, 52]
  }

  /// BuiltinOptions union tags used by the writer.
  enum OptionsTag {
    static let conv2D: UInt8 = 1, depthwiseConv2D: UInt8 = 2, fullyConnected: UInt8 = 8, batchMatMul: UInt8 = 101
  }

  /// The builtin op's name ("CONV_2D"), or "BUILTIN_<n>" for codes newer than the schema.
  public static func opName(_ code: Int32) -> String { builtinOperatorNames[code] ?? "BUILTIN_\(code)" }
}

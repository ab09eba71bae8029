import TensorCore

/// llama-quantize's knobs (tools/quantize): preset, per-tensor overrides and special tensors.
public struct LlamaQuantizeOptions: Sendable {
  /// `--tensor-type REGEX=TYPE`: the first pattern found in a tensor name (regex search) wins.
  public struct TensorTypeOverride: Sendable, Hashable {
    public var pattern: String
    public var type: DType
    public init(pattern: String, type: DType) { self.pattern = pattern; self.type = type }
  }

  /// The preset (`general.file_type`): decides the default type and the mixture rules.
  public var fileType: LlamaFileType
  public var tensorTypeOverrides: [TensorTypeOverride]
  /// `--output-tensor-type`
  public var outputTensorType: DType?
  /// `--token-embedding-type`
  public var tokenEmbeddingType: DType?
  /// `--leave-output-tensor`: output.weight is copied unchanged.
  public var leaveOutputTensor: Bool
  /// `--pure`: no mixture; every quantizable tensor gets the default type (overrides still apply).
  public var pure: Bool
  /// Whether an importance matrix is supplied (changes a few mixture choices).
  public var hasImportanceMatrix: Bool

  public init(
    fileType: LlamaFileType, tensorTypeOverrides: [TensorTypeOverride] = [], outputTensorType: DType? = nil,
    tokenEmbeddingType: DType? = nil, leaveOutputTensor: Bool = false, pure: Bool = false,
    hasImportanceMatrix: Bool = false
  ) {
    self.fileType = fileType; self.tensorTypeOverrides = tensorTypeOverrides
    self.outputTensorType = outputTensorType; self.tokenEmbeddingType = tokenEmbeddingType
    self.leaveOutputTensor = leaveOutputTensor; self.pure = pure; self.hasImportanceMatrix = hasImportanceMatrix
  }

  /// A ggml type as llama-quantize spells it ("q4_k", "Q6_K", "f16", "bf16").
  public static func type(named name: String) -> DType? {
    guard let type = DType(rawValue: name.uppercased()), GGMLTypeTable.isModelFileType(type) else { return nil }
    return type
  }

  /// Parses a `REGEX=TYPE` argument; the pattern is lower-cased as llama-quantize does.
  public static func parseOverride(_ argument: String) -> Result<TensorTypeOverride, FormatError> {
    guard let eq = argument.lastIndex(of: "="), eq != argument.startIndex else {
      return .failure(.invalid(file: "--tensor-type", what: "'\(argument)'", offset: nil, reason: "expected REGEX=TYPE"))
    }
    let pattern = argument[..<eq].lowercased()
    let typeName = String(argument[argument.index(after: eq)...])
    guard let type = type(named: typeName) else {
      return .failure(.invalid(file: "--tensor-type", what: "'\(argument)'", offset: nil, reason: "unknown ggml type '\(typeName)'"))
    }
    guard (try? Regex(pattern)) != nil else {
      return .failure(.invalid(file: "--tensor-type", what: "'\(argument)'", offset: nil, reason: "invalid regular expression '\(pattern)'"))
    }
    return .success(TensorTypeOverride(pattern: pattern, type: type))
  }
}

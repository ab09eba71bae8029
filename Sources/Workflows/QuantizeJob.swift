import ModelFormats
import QuantEngine
import TensorCore

/// One tensor's fate in a quantization job.
public struct Assignment: Sendable {
  public var tensorIndex: Int
  public var tensorName: String
  /// Nil: the tensor is copied unchanged.
  public var scheme: Scheme?
  public var encoding: QuantEncoding?
  public var originalBytes: Int
  /// Bytes the tensor will take (the original size when unchanged).
  public var storedBytes: Int
  /// Why the planned scheme cannot be applied (the tensor is then kept unchanged).
  public var problem: String?
}

/// Resolves a plan against a model and saves the result through the format's writer.
public struct QuantizeJob: Sendable {
  public let model: Model
  public let format: any ModelFormat.Type
  public let assignments: [Assignment]
  /// llama.cpp importance matrix for importance-weighted quantization; when nil, `save` loads
  /// `WriteOptions.importanceMatrixPath` if set.
  public var importance: ImportanceMatrix? = nil

  /// Resolves `plan` (or explicit writer requests, for presets) for every tensor.
  public init(model: Model, format: any ModelFormat.Type, plan: Plan) {
    self.model = model
    self.format = format
    var assignments: [Assignment] = []
    for (index, tensor) in model.tensors.enumerated() {
      var assignment = Assignment(
        tensorIndex: index, tensorName: tensor.name, scheme: nil, encoding: nil,
        originalBytes: tensor.byteCount, storedBytes: tensor.byteCount, problem: nil)
      if let scheme = plan.scheme(for: tensor) {
        QuantizeJob.assign(scheme, channelAxis: tensor.channelAxis, to: &assignment, tensor: tensor, model: model, format: format)
      }
      assignments.append(assignment)
    }
    self.assignments = QuantizeJob.applyingJointGroups(assignments, model: model, format: format)
  }

  /// A job from writer requests (presets express exact encodings, e.g. per-tensor int8 for one op).
  public init(model: Model, format: any ModelFormat.Type, requests: [TensorWriteRequest]) {
    self.model = model
    self.format = format
    var byIndex: [Int: QuantEncoding] = [:]
    for request in requests { byIndex[request.tensorIndex] = request.encoding }
    let assignments = model.tensors.enumerated().map { index, tensor in
      var assignment = Assignment(
        tensorIndex: index, tensorName: tensor.name, scheme: nil, encoding: nil,
        originalBytes: tensor.byteCount, storedBytes: tensor.byteCount, problem: nil)
      if let encoding = byIndex[index] {
        if let (scheme, axis) = Scheme.matching(encoding) {
          QuantizeJob.assign(scheme, channelAxis: axis, to: &assignment, tensor: tensor, model: model, format: format)
        } else {
          assignment.problem = "no scheme produces the requested encoding"
        }
      }
      return assignment
    }
    self.assignments = QuantizeJob.applyingJointGroups(assignments, model: model, format: format)
  }

  /// Keeps as stored, with the reason, the re-encoded members of a group the writer re-encodes
  /// only all together, so the job's sizes and problems say what the writer will do.
  static func applyingJointGroups(_ assignments: [Assignment], model: Model, format: any ModelFormat.Type) -> [Assignment] {
    let groups = format.jointGroups(in: model)
    guard !groups.isEmpty else { return assignments }
    let problems = JointTensorGroup.problems(groups) { i in
      guard i >= 0, i < assignments.count, i < model.tensors.count, assignments[i].encoding != nil,
        let scheme = assignments[i].scheme
      else { return false }
      return !AutoCandidates.sameAsStored(scheme, model.tensors[i])
    }
    var result = assignments
    for (i, reason) in problems where i >= 0 && i < result.count {
      result[i].encoding = nil
      result[i].storedBytes = result[i].originalBytes
      result[i].problem = reason
    }
    return result
  }

  static func assign(
    _ scheme: Scheme, channelAxis: Int, to assignment: inout Assignment, tensor: ModelTensor, model: Model,
    format: any ModelFormat.Type
  ) {
    let encoding = scheme.encoding(channelAxis: channelAxis)
    switch format.canStore(encoding, tensor: tensor, in: model) {
    case let .notStorable(reason):
      assignment.scheme = scheme
      assignment.problem = "\(format.kind.rawValue) cannot store \(scheme.rawValue) here: \(reason)"
      return
    case .storable:
      break
    }
    do {
      assignment.storedBytes = try Quantizer.storedBytes(scheme: scheme, shape: tensor.shape, channelAxis: channelAxis)
      assignment.scheme = scheme
      assignment.encoding = encoding
    } catch {
      assignment.scheme = scheme
      assignment.problem = error.description
    }
  }

  /// Tensors that will be re-encoded.
  public var changed: [Assignment] { assignments.filter { $0.encoding != nil } }
  /// Tensors whose planned scheme cannot be applied.
  public var problems: [Assignment] { assignments.filter { $0.problem != nil } }

  /// Estimated size of the written file: the input minus replaced tensors plus their new size.
  public var estimatedFileBytes: Int {
    changed.reduce(model.fileBytes) { $0 - $1.originalBytes + $1.storedBytes }
  }

  /// Runs the job: quantizes tensor by tensor as the writer asks for them, writes to a temporary
  /// file, verifies it and renames it to `path`.
  /// - Returns: the writer's notes.
  public func save(to path: String, options: WriteOptions) throws(WorkflowError) -> [String] {
    let requests = changed.compactMap { a in a.encoding.map { TensorWriteRequest(tensorIndex: a.tensorIndex, encoding: $0) } }
    let file = model.path
    var matrix = importance
    if matrix == nil, let path = options.importanceMatrixPath {
      do { matrix = try ImportanceMatrix.load(path: path) } catch { throw .format(error) }
    }
    let provider: QuantizedDataProvider = { [matrix] tensor, encoding in
      let weights = try matrix.flatMap { m throws(WorkflowError) in try ImportanceLookup.vector(in: m, for: tensor, file: file) }
      return try QuantizeJob.quantize(tensor, encoding: encoding, file: file, importance: weights)
    }
    do {
      return try format.write(model, requests: requests, provider: provider, to: path, options: options)
    } catch {
      throw .format(error)
    }
  }

  /// Quantizes one tensor into `encoding`, refusing NaN/Inf with the tensor's name; with
  /// `importance` (its imatrix vector) the ggml types use the importance-weighted quantizers.
  public static func quantize(
    _ tensor: ModelTensor, encoding: QuantEncoding, file: String, importance: [Float]? = nil
  ) throws(WorkflowError) -> QuantizedData {
    guard let (scheme, axis) = Scheme.matching(encoding) else {
      throw .quantization(file: file, tensor: tensor.name, reason: "no scheme produces the requested encoding")
    }
    let data = try TensorValues.withValues(of: tensor, file: file) { values throws(WorkflowError) -> QuantizedData in
      do throws(QuantError) {
        return try Quantizer.quantize(values, shape: tensor.shape, scheme: scheme, channelAxis: axis, importance: importance)
      } catch {
        if case let .nonFinite(count, firstIndex) = error {
          throw .nonFinite(file: file, tensor: tensor.name, count: count, firstIndex: firstIndex)
        }
        throw .quantization(file: file, tensor: tensor.name, reason: error.description)
      }
    }
    tensor.location.file.releasePages(offset: tensor.location.offset, count: tensor.location.byteCount)
    return data
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TensorCore

/// A config.json to write beside the output, prepared before the model is written.
struct ConfigUpdate {
  var destination: String
  var bytes: [UInt8]
  var input: String

  /// Writes the file atomically (temporary file, fsync, verify by re-parsing, rename).
  func commit(overwrite: Bool) throws(FormatError) {
    do throws(FileError) {
      let writer = try AtomicFileWriter(destination: destination, inputs: [input], overwrite: overwrite)
      try writer.write(bytes)
      try writer.finishWriting()
      do { _ = try SafetensorsFormat.readJSONFile(writer.temporaryPath) } catch {
        writer.abort()
        throw FileError.verificationFailed(path: destination, reason: error.description)
      }
      try writer.commit()
    } catch { throw .io(error) }
  }
}

/// Builds config.json's `quantization_config` for compressed-tensors loaders (vLLM, transformers).
enum CompressedTensorsConfig {
  typealias JSON = SafetensorsFormat.JSON

  /// Reads config.json beside the input and returns it with `quantization_config` set, ready to be
  /// written beside the output; nil (with a note) when there is nothing to update safely.
  static func update(
    inputFolder: String, outputPath: String, modules: [(module: String, linear: LinearQuantization)],
    model: Model, options: WriteOptions, notes: inout [String]
  ) throws(FormatError) -> ConfigUpdate? {
    let input = inputFolder + "/config.json"
    guard access(input, F_OK) == 0 else {
      notes.append("no config.json beside the input, so none was written: loaders need config.json with the compressed-tensors quantization_config to read the int weights")
      return nil
    }
    let outputFolder = SafetensorsFormat.folder(of: outputPath)
    let destination = outputFolder + "/config.json"
    if canonical(inputFolder) == canonical(outputFolder) {
      notes.append("config.json was not changed: the output is in the input's folder and the original model still needs its config; write the output to its own folder to get a config.json with quantization_config")
      return nil
    }
    if access(destination, F_OK) == 0 && !options.overwrite { throw .io(.exists(path: destination)) }
    let json = try SafetensorsFormat.readJSONFile(input)
    guard case var .object(members) = json else {
      throw .invalid(file: input, what: "config.json", offset: nil, reason: "expected a JSON object, found \(json.typeName)")
    }
    let quantization = quantizationConfig(modules: modules, model: model)
    if let existing = members.firstIndex(where: { $0.key == "quantization_config" }) {
      members[existing].value = quantization
      notes.append("replaced the existing quantization_config in config.json")
    } else {
      members.append(.init(key: "quantization_config", value: quantization, offset: 0))
    }
    notes.append("wrote \(destination) with a compressed-tensors quantization_config")
    return ConfigUpdate(destination: destination, bytes: Array(JSON.object(members).prettyText().utf8), input: input)
  }

  /// One config group per distinct scheme, each targeting its modules by exact name; Linear
  /// modules left in float are listed in `ignore`.
  static func quantizationConfig(modules: [(module: String, linear: LinearQuantization)], model: Model) -> JSON {
    var schemes: [LinearQuantization] = []
    var targets: [[String]] = []
    for entry in modules {
      if let index = schemes.firstIndex(of: entry.linear) {
        targets[index].append(entry.module)
      } else {
        schemes.append(entry.linear)
        targets.append([entry.module])
      }
    }
    var groups: [(String, JSON)] = []
    for (index, scheme) in schemes.enumerated() {
      groups.append(("group_\(index)", .fields([
        ("format", .string("pack-quantized")),
        ("input_activations", .null),
        ("output_activations", .null),
        ("targets", .array(targets[index].map(JSON.string))),
        ("weights", weights(scheme)),
      ])))
    }
    let quantized = Set(modules.map(\.module))
    let ignored = model.tensors.compactMap { tensor -> String? in
      guard tensor.op == "Linear", tensor.role == .weight, tensor.name.hasSuffix(".weight") else { return nil }
      let module = String(tensor.name.dropLast(".weight".count))
      return quantized.contains(module) ? nil : module
    }
    return .fields([
      ("config_groups", .fields(groups)),
      ("format", .string("pack-quantized")),
      ("global_compression_ratio", .null),
      ("ignore", .array(ignored.map(JSON.string))),
      ("kv_cache_scheme", .null),
      ("quant_method", .string("compressed-tensors")),
      ("quantization_status", .string("compressed")),
    ])
  }

  /// QuantizationArgs for a scheme; only fields the library defines (it rejects unknown keys).
  static func weights(_ linear: LinearQuantization) -> JSON {
    var groupSize = JSON.null
    if case let .group(size) = linear.granularity { groupSize = .int(size) }
    return .fields([
      ("actorder", .null),
      ("dynamic", .bool(false)),
      ("group_size", groupSize),
      ("num_bits", .int(linear.bits)),
      ("observer", .string("minmax")),
      ("observer_kwargs", .fields([])),
      ("strategy", .string(SafetensorsFormat.strategy(of: linear.granularity))),
      ("symmetric", .bool(!linear.asymmetric)),
      ("type", .string("int")),
    ])
  }

  static func canonical(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}

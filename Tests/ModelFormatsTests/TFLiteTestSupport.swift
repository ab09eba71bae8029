import Foundation
import TensorCore
@testable import ModelFormats

/// Fixtures and a small reference quantizer, local to the tests (the engine's kernels live in
/// another target): per-channel amax/127, round half away from zero, clamp, scale 1 for all-zero.
enum TFLiteTestSupport {
  static func fixture(_ name: String) throws -> String {
    guard let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
      throw CocoaError(.fileNoSuchFile)
    }
    return folder.appendingPathComponent("tflite").appendingPathComponent(name).path
  }

  static func temporaryPath(_ name: String) -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("qscope-tfl-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent(name).path
  }

  /// The tensor's values as float32, dequantizing stored int8/int4 values.
  static func floats(_ tensor: ModelTensor) -> [Float] {
    var values = FloatDecoding.decode(tensor.dtype, from: tensor.location.bytes, count: tensor.elementCount)
    guard let q = tensor.storedQuantization else { return values }
    let strides = Shape.strides(tensor.shape)
    for i in values.indices {
      let c = q.axis.map { (i / strides[$0]) % tensor.shape[$0] } ?? 0
      values[i] = (values[i] - Float(q.zeroPoints[c])) * q.scales[c]
    }
    return values
  }

  static let provider: QuantizedDataProvider = { tensor, encoding in quantize(floats(tensor), shape: tensor.shape, encoding) }

  static func quantize(_ values: [Float], shape: [Int], _ encoding: QuantEncoding) -> QuantizedData {
    switch encoding {
    case .float16:
      let bytes = values.flatMap { v -> [UInt8] in
        let h = HalfPrecision.halfBits(from: max(-65504, min(65504, v)))
        return [UInt8(h & 0xFF), UInt8(h >> 8)]
      }
      return QuantizedData(encoding: encoding, shape: shape, values: bytes)
    case let .linear(linear):
      var channels = 1, axis = 0
      if case let .channel(a) = linear.granularity { axis = a; channels = shape[a] }
      let stride = Shape.strides(shape)[axis]
      func channel(_ i: Int) -> Int { channels == 1 ? 0 : (i / stride) % channels }
      var lo = [Float](repeating: 0, count: channels), hi = [Float](repeating: 0, count: channels)
      for (i, v) in values.enumerated() { lo[channel(i)] = min(lo[channel(i)], v); hi[channel(i)] = max(hi[channel(i)], v) }
      var scales = [Float](repeating: 1, count: channels), zeros = [Int32](repeating: 0, count: channels)
      for c in 0..<channels {
        if linear.asymmetric {
          let range = hi[c] - lo[c]
          scales[c] = range > 0 ? range / Float(linear.qmax - linear.qmin) : 1
          zeros[c] = Int32(max(Float(linear.qmin), min(Float(linear.qmax), (Float(linear.qmin) - lo[c] / scales[c]).rounded())))
        } else {
          let amax = max(-lo[c], hi[c])
          scales[c] = amax > 0 ? amax / Float(linear.qmax) : 1
        }
      }
      let q = values.enumerated().map { i, v -> UInt8 in
        let c = channel(i)
        let r = (v / scales[c]).rounded(.toNearestOrAwayFromZero) + Float(zeros[c])
        return UInt8(bitPattern: Int8(max(Float(linear.qmin), min(Float(linear.qmax), r))))
      }
      return QuantizedData(encoding: encoding, shape: shape, values: q, scales: scales,
                           zeroPoints: linear.asymmetric ? zeros : [])
    default:
      let bytes = values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
      return QuantizedData(encoding: .float32, shape: shape, values: bytes)
    }
  }

  static func write(_ model: Model, _ requests: [TensorWriteRequest], name: String = "out.tflite") throws -> (String, [String]) {
    let path = temporaryPath(name)
    let notes = try TFLiteFormat.write(model, requests: requests, provider: provider, to: path, options: WriteOptions())
    return (path, notes)
  }

  static func scheme(_ bits: Int, _ granularity: LinearQuantization.Granularity, asym: Bool = false) -> QuantEncoding {
    let (lo, hi) = bits == 8 ? (asym ? -128 : -127, 127) : (-7, 7)
    return .linear(.init(bits: bits, qmin: lo, qmax: hi, granularity: granularity, asymmetric: asym))
  }

  /// For each non-DEQUANTIZE op in order: its name, version, and for each input the constant
  /// behind it (looking through DEQUANTIZE): type, bytes, scales, quantized dimension.
  struct OpView: Equatable {
    var name: String
    var version: Int32
    var inputs: [String]
  }

  static func view(_ file: TFLiteFile) -> [OpView] {
    let sg = file.subgraphs[0]
    var producer: [Int: Int] = [:]
    for (i, op) in sg.operators.enumerated() { for o in op.outputs { producer[o] = i } }
    var result: [OpView] = []
    for op in sg.operators {
      let code = file.operatorCodes[op.opcodeIndex]
      if code.code == TFLiteSchema.Op.dequantize, let input = op.inputs.first, file.buffers[sg.tensors[input].buffer].count > 0 {
        continue
      }
      let inputs = op.inputs.map { t -> String in
        guard t >= 0 else { return "-" }
        var tensor = t
        var via = ""
        if let p = producer[t], file.operatorCodes[sg.operators[p].opcodeIndex].code == TFLiteSchema.Op.dequantize,
          let input = sg.operators[p].inputs.first, file.buffers[sg.tensors[input].buffer].count > 0 {
          tensor = input
          via = "dq(v\(file.operatorCodes[sg.operators[p].opcodeIndex].version))>"
        }
        let info = sg.tensors[tensor]
        let range = file.buffers[info.buffer]
        let data = range.count > 0 ? (try? file.file.slice(offset: range.offset, count: range.count)).map { Array($0).hashValue } : nil
        let q = info.quantization.map { "q\($0.scales.map(\.bitPattern))@\($0.axis ?? -1)z\($0.zeroPoints)" } ?? ""
        return "\(via)\(info.rawType)\(info.shape)\(data.map { "#\($0)" } ?? "")\(q)"
      }
      result.append(OpView(name: code.name, version: code.version, inputs: inputs))
    }
    return result
  }
}

import TensorCore

/// Quantize, dequantize and size tensors for every ``Scheme``.
///
/// Layout conventions: per-channel schemes take one scale per index along `channelAxis`
/// (negative counts from the end); groups and ggml blocks run along the LAST axis, so rows are the
/// product of the other dimensions. A scalar shape `[]` is one element.
public enum Quantizer {
  /// x → stored representation. Throws ``QuantError/nonFinite(count:firstIndex:)`` for NaN/Inf.
  public static func quantize(
    _ values: UnsafeBufferPointer<Float>, shape: [Int], scheme: Scheme, channelAxis: Int
  ) throws(QuantError) -> QuantizedData {
    let layout = try TensorLayout(shape: shape, bufferCount: values.count)
    let encoding = scheme.encoding(channelAxis: channelAxis)
    switch encoding {
    case .float32, .float16, .bfloat16:
      // The f16/bf16 encoders flag NaN/Inf themselves; the error then comes from the full check.
      guard let bytes = FloatCast.encodeChecked(values, scheme: scheme) else {
        try NonFinite.check(values)
        throw .nonFinite(count: 0, firstIndex: 0)  // unreachable: only NaN/Inf raise the flag
      }
      return QuantizedData(encoding: encoding, shape: shape, values: bytes)
    case .linear(let parameters):
      var bytes = [UInt8](repeating: 0, count: layout.count)
      let outcome = try bytes.withUnsafeMutableBufferPointer { (b) throws(QuantError) -> LinearOutcome in
        let q = b.baseAddress.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Int8.self) }
        return try LinearScheme.run(values, shape: shape, parameters: parameters, q: q, xhat: nil)
      }
      return QuantizedData(
        encoding: encoding, shape: shape, values: bytes, scales: outcome.scales, zeroPoints: outcome.zeroPoints)
    case .blocks(let type):
      let bytes = try quantizeBlocks(values, layout: layout, type: type, scheme: scheme)
      return QuantizedData(encoding: encoding, shape: shape, values: bytes)
    }
  }

  static func quantizeBlocks(
    _ values: UnsafeBufferPointer<Float>, layout: TensorLayout, type: DType, scheme: Scheme
  ) throws(QuantError) -> [UInt8] {
    guard layout.rowLength % type.blockSize == 0 else {
      throw .rowNotDivisible(rowLength: layout.rowLength, blockSize: type.blockSize, scheme: scheme.rawValue)
    }
    // The legacy kernels notice NaN/Inf themselves, which saves a pass over the input; the
    // error (with counts) is then built by the full check.
    let fusedCheck = BlockQuantize.checksFinite(type)
    if !fusedCheck { try NonFinite.check(values) }
    let blocks = layout.count / type.blockSize
    guard let size = Checked.multiply(blocks, type.bytesPerBlock) else { throw .invalidShape("tensor too large") }
    guard let x = values.baseAddress, blocks > 0 else {
      if fusedCheck { try NonFinite.check(values) }
      return [UInt8](repeating: 0, count: size)
    }
    var finite = true
    var bytes = OutputBytes.make(count: size) { out in
      // Every kernel writes every byte of its blocks.
      finite = BlockQuantize.quantizeParallel(type, x, blocks: blocks, into: out)
      return true
    }
    if !finite {
      try NonFinite.check(values)
      // Not expected (only NaN/Inf raise the flag), but never return bytes from a flagged run.
      bytes.withUnsafeMutableBufferPointer { b in
        if let out = b.baseAddress { GGMLLegacyQuantize.quantize(type, x, blocks: blocks, into: out) }
      }
    }
    return bytes
  }

  /// Stored representation → float32, exactly as a reader of the saved file gets it.
  public static func dequantize(_ data: QuantizedData, into output: UnsafeMutableBufferPointer<Float>) throws(QuantError) {
    let layout = try TensorLayout(shape: data.shape, bufferCount: output.count)
    switch data.encoding {
    case .float32, .float16, .bfloat16:
      try FloatCast.decode(data.values, encoding: data.encoding, into: output)
    case .linear(let parameters):
      try LinearReference.dequantize(data, parameters: parameters, into: output)
    case .blocks(let type):
      // Array.withUnsafeBytes only rethrows untyped errors, so carry ours out by value.
      let failure: QuantError? = data.values.withUnsafeBytes { raw in
        do throws(QuantError) {
          try BlockDecoding.decode(type, from: raw, count: layout.count, into: output)
          return nil
        } catch { return error }
      }
      if let failure { throw failure }
    }
  }

  /// Decodes raw ggml blocks (e.g. a GGUF tensor's bytes): `count` elements from exactly
  /// `count / blockSize` blocks. Throws ``QuantError/unsupportedBlockType(_:)`` for types without
  /// a decoder and ``QuantError/malformedData(_:)`` when the byte count does not match.
  public static func dequantizeBlocks(
    _ type: DType, from bytes: UnsafeRawBufferPointer, count: Int, into output: UnsafeMutableBufferPointer<Float>
  ) throws(QuantError) {
    try BlockDecoding.decode(type, from: bytes, count: count, into: output)
  }

  /// Exact stored bytes: payload plus float32 scales plus int32 zero points for linear schemes
  /// (payload packed at `bits` per element, rounded up to a byte over the whole tensor); exact
  /// block bytes for ggml; 4/2/2 bytes per element for f32/f16/bf16.
  public static func storedBytes(scheme: Scheme, shape: [Int], channelAxis: Int) throws(QuantError) -> Int {
    guard let count = Shape.elementCount(shape) else { throw .invalidShape("\(shape) is invalid") }
    let layout = try TensorLayout(shape: shape, bufferCount: count)
    let overflow = QuantError.invalidShape("\(Shape.describe(shape)) is too large")
    switch scheme.encoding(channelAxis: channelAxis) {
    case .float32: guard let n = Checked.multiply(count, 4) else { throw overflow }; return n
    case .float16, .bfloat16: guard let n = Checked.multiply(count, 2) else { throw overflow }; return n
    case .blocks(let type):
      guard layout.rowLength % type.blockSize == 0 else {
        throw .rowNotDivisible(rowLength: layout.rowLength, blockSize: type.blockSize, scheme: scheme.rawValue)
      }
      guard let n = type.byteCount(elements: count) else { throw overflow }
      return n
    case .linear(let p):
      guard let bits = Checked.multiply(count, p.bits) else { throw overflow }
      let payload = bits / 8 + (bits % 8 == 0 ? 0 : 1)
      let scaleCount: Int
      switch p.granularity {
      case .tensor: scaleCount = 1
      case .channel(let axis): scaleCount = try ChannelSplit(shape: shape, axis: axis).channels
      case .group(let size): scaleCount = layout.rows * layout.groupsPerRow(size: max(1, size))
      }
      let perScale = p.asymmetric ? 8 : 4
      guard let params = Checked.multiply(scaleCount, perScale), let total = Checked.add(payload, params) else {
        throw overflow
      }
      return total
    }
  }
}

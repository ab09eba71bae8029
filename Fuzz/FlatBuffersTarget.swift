import ModelFormats

/// Runs the FlatBuffers verifier/decoder alone over the input with the TFLite schema, in memory.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFlatBuffers(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  var decoder = FlatBufferDecoder(bytes: UnsafeRawBufferPointer(start: start, count: count), schema: TFLiteSchema.schema)
  _ = try? decoder.decodeRoot(type: "Model", identifier: TFLiteSchema.identifier)
  return 0
}

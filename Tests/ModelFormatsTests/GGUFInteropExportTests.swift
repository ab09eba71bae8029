import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// Writes files with our GGUF writer into $QSCOPE_INTEROP_DIR so Tests/Interop/test_gguf_interop.py
/// can check them with gguf-py (the reference reader). Skipped when the variable is unset.
@Suite struct GGUFInteropExportTests {
  static let folder = ProcessInfo.processInfo.environment["QSCOPE_INTEROP_DIR"]

  @Test(.enabled(if: folder != nil))
  func exportFilesForGGUFPy() throws {
    let folder = try #require(Self.folder)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    // 1. Every metadata type, F32 source cast to F16 by the writer.
    let source = try GGUFFormat.open(path: GGUFFixture.write(try GGUFEncoder.file(metadata: GGUFReaderTests.everyType, tensors: GGUFFixture.tinyLlama())))
    let requests = source.tensors.indices.filter { source.tensors[$0].isQuantizable }.map { TensorWriteRequest(tensorIndex: $0, encoding: .float16) }
    _ = try GGUFFormat.write(source, requests: requests, provider: GGUFFixture.castingProvider, to: folder + "/swift-every-type-f16.gguf", options: WriteOptions(overwrite: true))
    // 2. The sample rewritten unchanged (passthrough, file type and quantization version added).
    let sample = try GGUFFormat.open(path: GGUFSampleTests.samplePath)
    _ = try GGUFFormat.write(sample, requests: [], provider: GGUFFixture.castingProvider, to: folder + "/swift-sample-copy.gguf", options: WriteOptions(overwrite: true))
    // 3. The sample with its weights cast to BF16, and general.alignment 64.
    var aligned = sample
    if var parsed = GGUFFormat.parsedFile(of: sample) {
      parsed.metadata.append(GGUFKeyValue(key: "general.alignment", value: .uint32(64)))
      aligned.formatContext = parsed
    }
    let bf16 = sample.tensors.indices.filter { sample.tensors[$0].isQuantizable }.map { TensorWriteRequest(tensorIndex: $0, encoding: .bfloat16) }
    _ = try GGUFFormat.write(aligned, requests: bf16, provider: GGUFFixture.castingProvider, to: folder + "/swift-sample-bf16-align64.gguf", options: WriteOptions(overwrite: true))
    // 4. A width-256 llama with K-quant and Q8_0 blocks (zero blocks: the kernels live in QuantEngine).
    let wide = try GGUFFormat.open(path: GGUFFixture.write(try GGUFEncoder.file(metadata: GGUFFixture.basicMetadata, tensors: GGUFFixture.tinyLlama(width: 256))))
    let (planned, _) = LlamaQuantizeRules.plan(for: wide, options: LlamaQuantizeOptions(fileType: .q4_k_m))
    _ = try GGUFFormat.write(
      wide, requests: planned, provider: GGUFFixture.castingProviderSkippingDecode, to: folder + "/swift-q4km-zero-blocks.gguf",
      options: WriteOptions(overwrite: true), fileType: .q4_k_m)
  }
}

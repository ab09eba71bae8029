import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// Files past 4 GiB, made sparse with ftruncate so they cost no disk.
@Suite struct GGUFHugeFileTests {
  /// Writes `header`, extends the file to `size` (sparse) and writes `tail` at `tailOffset`.
  static func sparseFile(header: [UInt8], size: Int, tail: [UInt8] = [], tailOffset: Int = 0) throws -> String {
    let path = GGUFFixture.path("huge")
    let fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0o644)
    try #require(fd >= 0)
    defer { close(fd) }
    try #require(header.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } == header.count)
    try #require(ftruncate(fd, off_t(size)) == 0)
    if !tail.isEmpty {
      try #require(tail.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(tailOffset)) } == tail.count)
    }
    return path
  }

  @Test func tensorDataBeyondFourGiBIsMapped() throws {
    let specs = [
      GGUFTensorSpec(name: "token_embd.weight", ne: [4096, 8], type: .f16),
      GGUFTensorSpec(name: "blk.0.ffn_up.weight", ne: [65536, 40000], type: .f16),  // 5.2 GB
      GGUFTensorSpec(name: "blk.0.ffn_norm.weight", ne: [8], type: .f32),
    ]
    let header = try GGUFEncoder.header(metadata: GGUFFixture.basicMetadata, tensors: specs)
    let tailOffset = header.bytes.count + header.offsets[2]
    let tail = GGUFFixture.bytes(of: [1, 2, 3, 4, 5, 6, 7, 8])
    let path = try Self.sparseFile(header: header.bytes, size: header.bytes.count + header.dataBytes, tail: tail, tailOffset: tailOffset)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let model = try GGUFFormat.open(path: path)
    #expect(model.fileBytes > 1 << 32)
    let big = try #require(model.tensors.first { $0.name == "blk.0.ffn_up.weight" })
    #expect(big.byteCount == 65536 * 40000 * 2)
    #expect(big.shape == [40000, 65536])
    let norm = try #require(model.tensors.first { $0.name == "blk.0.ffn_norm.weight" })
    #expect(norm.location.offset > 1 << 32)
    #expect(Array(norm.location.bytes) == tail)
    // The last bytes of the big tensor are mapped (and, being sparse, zero).
    #expect(big.location.bytes[big.byteCount - 1] == 0)
  }

  @Test func sizesThatOverflowAreRejected() throws {
    // 2^62 × 2^2 elements overflows Int before any allocation.
    let spec = GGUFTensorSpec(name: "x", ne: [1 << 62, 4], type: .f32)
    #expect(spec.byteCount == nil)
    #expect(throws: FormatError.self) { try GGUFEncoder.header(metadata: [], tensors: [spec]) }
    var bytes = try GGUFEncoder.file(metadata: [], tensors: [GGUFFixture.f32Tensor("x", shape: [4, 4])])
    let info = try #require(try GGUFFixture.parse(bytes).tensors.first)
    GGUFFixture.writeU64(UInt64(1) << 62, at: GGUFFixture.fields(of: info).firstDim, in: &bytes)
    #expect(throws: FormatError.self) { try GGUFFixture.parse(bytes) }
    GGUFFixture.writeU64(UInt64.max, at: GGUFFixture.fields(of: info).firstDim, in: &bytes)
    #expect(throws: FormatError.self) { try GGUFFixture.parse(bytes) }
  }

  static func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
  }

  /// A 7B-shaped F16 model (13.5 GB sparse) quantized to Q8_0 streaming: the peak resident set
  /// stays far below the model size. Writes ~7 GB, so it runs only with QSCOPE_HUGE_TESTS=1.
  @Test(.enabled(if: ProcessInfo.processInfo.environment["QSCOPE_HUGE_TESTS"] == "1"))
  func sevenBillionF16QuantizesWithBoundedMemory() throws {
    let width = 4096, ffn = 11008, vocab = 32000
    var specs = [GGUFTensorSpec(name: "token_embd.weight", ne: [width, vocab], type: .f16)]
    for b in 0..<32 {
      for op in ["attn_q", "attn_k", "attn_v", "attn_output"] { specs.append(GGUFTensorSpec(name: "blk.\(b).\(op).weight", ne: [width, width], type: .f16)) }
      specs.append(GGUFTensorSpec(name: "blk.\(b).ffn_gate.weight", ne: [width, ffn], type: .f16))
      specs.append(GGUFTensorSpec(name: "blk.\(b).ffn_up.weight", ne: [width, ffn], type: .f16))
      specs.append(GGUFTensorSpec(name: "blk.\(b).ffn_down.weight", ne: [ffn, width], type: .f16))
      specs.append(GGUFTensorSpec(name: "blk.\(b).attn_norm.weight", ne: [width], type: .f32))
    }
    specs.append(GGUFTensorSpec(name: "output.weight", ne: [width, vocab], type: .f16))
    let header = try GGUFEncoder.header(metadata: GGUFFixture.basicMetadata, tensors: specs)
    let path = try Self.sparseFile(header: header.bytes, size: header.bytes.count + header.dataBytes)
    let model = try GGUFFormat.open(path: path)
    #expect(model.fileBytes > 13_000_000_000)
    let decisions = LlamaQuantizeRules.targetTypes(for: model, options: LlamaQuantizeOptions(fileType: .q8_0))
    // token_embd is copied (streamed from the mapping); everything else quantizable becomes Q8_0.
    let requests = decisions.filter { model.tensors[$0.tensorIndex].name != "token_embd.weight" }
      .map { TensorWriteRequest(tensorIndex: $0.tensorIndex, encoding: .blocks($0.type)) }
    let out = GGUFFixture.path("7b-q8")
    defer { try? FileManager.default.removeItem(atPath: out); try? FileManager.default.removeItem(atPath: path) }
    _ = try GGUFFormat.write(model, requests: requests, provider: GGUFFixture.castingProviderSkippingDecode, to: out, options: WriteOptions(), fileType: .q8_0)
    let written = try GGUFFormat.open(path: out)
    #expect(written.tensors.first { $0.name == "blk.31.ffn_down.weight" }?.dtype == .q8_0)
    #expect(written.tensors.first { $0.name == "token_embd.weight" }?.dtype == .f16)
    // Bounded: one tensor's output (≤ 48 MB) plus copy chunks, never the 13.5 GB model.
    let peak = Self.peakResidentBytes()
    print("7B streaming write: output \(written.fileBytes) bytes, peak RSS \(peak) bytes")
    #expect(peak < 1_000_000_000)
  }
}

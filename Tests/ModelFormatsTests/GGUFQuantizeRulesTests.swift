import Testing
import TensorCore
@testable import ModelFormats

/// llama-quantize's per-tensor type choices, on tensor infos alone (no data needed).
@Suite struct GGUFQuantizeRulesTests {
  /// A 32-block llama-like model: width 4096, 8 KV heads (GQA 4), file order by plain name sort
  /// (so "blk.10" comes before "blk.2", as in many real files).
  static func llama(blocks: Int = 32, width: Int = 4096, tied: Bool = false, experts: Int = 0) -> ([GGUFTensorSpec], [GGUFKeyValue]) {
    var specs = [GGUFTensorSpec(name: "token_embd.weight", shape: [32000, width], type: .f16),
                 GGUFTensorSpec(name: "output_norm.weight", shape: [width], type: .f32)]
    if !tied { specs.append(GGUFTensorSpec(name: "output.weight", shape: [32000, width], type: .f16)) }
    for b in 0..<blocks {
      for op in ["attn_q", "attn_output"] { specs.append(GGUFTensorSpec(name: "blk.\(b).\(op).weight", shape: [width, width], type: .f16)) }
      for op in ["attn_k", "attn_v"] { specs.append(GGUFTensorSpec(name: "blk.\(b).\(op).weight", shape: [width / 4, width], type: .f16)) }
      specs.append(GGUFTensorSpec(name: "blk.\(b).attn_norm.weight", shape: [width], type: .f32))
      specs.append(GGUFTensorSpec(name: "blk.\(b).ffn_up.weight", shape: [2 * width, width], type: .f16))
      specs.append(GGUFTensorSpec(name: "blk.\(b).ffn_gate.weight", shape: [2 * width, width], type: .f16))
      specs.append(GGUFTensorSpec(name: "blk.\(b).ffn_down.weight", shape: [width, 2 * width], type: .f16))
    }
    specs.sort { $0.name < $1.name }
    var meta: [GGUFKeyValue] = [
      GGUFKeyValue(key: "general.architecture", value: .string("llama")),
      GGUFKeyValue(key: "llama.block_count", value: .uint32(UInt32(blocks))),
      GGUFKeyValue(key: "llama.attention.head_count", value: .uint32(32)),
      GGUFKeyValue(key: "llama.attention.head_count_kv", value: .uint32(8)),
    ]
    if experts > 0 { meta.append(GGUFKeyValue(key: "llama.expert_count", value: .uint32(UInt32(experts)))) }
    return (specs, meta)
  }

  static func types(_ options: LlamaQuantizeOptions, _ model: ([GGUFTensorSpec], [GGUFKeyValue]) = llama()) -> [String: DType] {
    let decisions = LlamaQuantizeRules.targetTypes(tensors: model.0, metadata: model.1, options: options)
    return Dictionary(uniqueKeysWithValues: decisions.map { (model.0[$0.tensorIndex].name, $0.type) })
  }

  @Test func useMoreBitsSelectsFirstAndLastEighthAndEveryThird() {
    let picked = (0..<32).filter { LlamaQuantizeRules.useMoreBits($0, 32) }
    #expect(picked == [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31])
  }

  @Test func q4KMGivesQ6KToAttnVAndFfnDownInTheUseMoreBitsLayers() {
    let types = Self.types(LlamaQuantizeOptions(fileType: .q4_k_m))
    let bumped: Set = [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31]
    for b in 0..<32 {
      let expected: DType = bumped.contains(b) ? .q6_k : .q4_k
      #expect(types["blk.\(b).attn_v.weight"] == expected, "attn_v in block \(b)")
      #expect(types["blk.\(b).ffn_down.weight"] == expected, "ffn_down in block \(b)")
      #expect(types["blk.\(b).attn_q.weight"] == .q4_k)
      #expect(types["blk.\(b).ffn_up.weight"] == .q4_k)
      #expect(types["blk.\(b).attn_norm.weight"] == nil)
    }
    #expect(types["output.weight"] == .q6_k)
    #expect(types["token_embd.weight"] == .q4_k)
    #expect(types["output_norm.weight"] == nil)
  }

  @Test func tiedEmbeddingsTakeTheOutputType() {
    let types = Self.types(LlamaQuantizeOptions(fileType: .q4_k_m), Self.llama(tied: true))
    #expect(types["token_embd.weight"] == .q6_k)
  }

  @Test func q3KMAndQ4KSAndQ2K() {
    let q3 = Self.types(LlamaQuantizeOptions(fileType: .q3_k_m))
    #expect(q3["blk.0.attn_v.weight"] == .q5_k && q3["blk.1.attn_v.weight"] == .q5_k && q3["blk.2.attn_v.weight"] == .q4_k)
    #expect(q3["blk.1.ffn_down.weight"] == .q5_k && q3["blk.2.ffn_down.weight"] == .q4_k)
    #expect(q3["blk.5.attn_output.weight"] == .q4_k && q3["blk.5.attn_q.weight"] == .q3_k)
    let q4s = Self.types(LlamaQuantizeOptions(fileType: .q4_k_s))
    #expect(q4s["blk.3.attn_v.weight"] == .q5_k && q4s["blk.4.attn_v.weight"] == .q4_k)
    #expect(q4s["blk.3.ffn_down.weight"] == .q5_k && q4s["blk.4.ffn_down.weight"] == .q4_k)
    let q2 = Self.types(LlamaQuantizeOptions(fileType: .q2_k))
    #expect(q2["blk.9.attn_v.weight"] == .q4_k)  // GQA 4
    #expect(q2["blk.9.ffn_down.weight"] == .q3_k && q2["blk.9.attn_output.weight"] == .q3_k && q2["blk.9.attn_q.weight"] == .q2_k)
    let q8 = Self.types(LlamaQuantizeOptions(fileType: .q8_0))
    #expect(q8["output.weight"] == .q8_0 && q8["blk.0.attn_v.weight"] == .q8_0)
  }

  @Test func eightExpertsPutAttnVAtQ80() {
    let types = Self.types(LlamaQuantizeOptions(fileType: .q4_k_m), Self.llama(blocks: 4, experts: 8))
    #expect(types["blk.2.attn_v.weight"] == .q8_0)
    #expect(types["blk.2.attn_k.weight"] == .q8_0)
    #expect(types["blk.2.attn_output.weight"] == .q5_k)
  }

  @Test func overridesFirstMatchWinsAndPureSkipsTheMixture() throws {
    let first = try LlamaQuantizeOptions.parseOverride("attn_v=q8_0").get()
    let second = try LlamaQuantizeOptions.parseOverride("ATTN=Q2_K").get()
    #expect(second.pattern == "attn")
    let types = Self.types(LlamaQuantizeOptions(fileType: .q4_k_m, tensorTypeOverrides: [first, second]))
    #expect(types["blk.0.attn_v.weight"] == .q8_0)
    #expect(types["blk.0.attn_q.weight"] == .q2_k)
    #expect(types["blk.0.ffn_down.weight"] == .q6_k)
    let odd = try LlamaQuantizeOptions.parseOverride(#"\.(\d*[13579])\.attn_k=q5_k"#).get()
    let pure = Self.types(LlamaQuantizeOptions(fileType: .q4_k_m, tensorTypeOverrides: [odd], pure: true))
    #expect(pure["blk.0.ffn_down.weight"] == .q4_k && pure["output.weight"] == .q4_k)
    #expect(pure["blk.3.attn_k.weight"] == .q5_k && pure["blk.4.attn_k.weight"] == .q4_k)
    #expect(throws: FormatError.self) { try LlamaQuantizeOptions.parseOverride("x=q9_9").get() }
    #expect(throws: FormatError.self) { try LlamaQuantizeOptions.parseOverride("(=q8_0").get() }
  }

  @Test func outputAndEmbeddingTypesAndLeaveOutput() {
    let types = Self.types(LlamaQuantizeOptions(fileType: .q4_k_m, outputTensorType: .q8_0, tokenEmbeddingType: .q5_k))
    #expect(types["output.weight"] == .q8_0 && types["token_embd.weight"] == .q5_k)
    let left = Self.types(LlamaQuantizeOptions(fileType: .q4_k_m, leaveOutputTensor: true))
    #expect(left["output.weight"] == nil)
  }

  @Test func rowsNotFillingBlocksFallBackWithANote() {
    // MiniLM-like: width 384 is not a multiple of 256.
    let model = Self.llama(blocks: 2, width: 384)
    let decisions = LlamaQuantizeRules.targetTypes(tensors: model.0, metadata: model.1, options: LlamaQuantizeOptions(fileType: .q4_k_m))
    let byName = Dictionary(uniqueKeysWithValues: decisions.map { (model.0[$0.tensorIndex].name, $0) })
    #expect(byName["blk.0.attn_q.weight"]?.type == .q5_0)
    #expect(byName["blk.0.attn_q.weight"]?.note == "row length 384 is not a multiple of Q4_K's block size 256; falling back to Q5_0")
    #expect(byName["blk.0.attn_v.weight"]?.type == .q5_0)  // no bump in block 0 of 2
    #expect(byName["blk.1.attn_v.weight"]?.type == .q8_0)  // use_more_bits(1, 2): Q6_K → Q8_0
    #expect(byName["blk.1.ffn_down.weight"]?.type == .q6_k)  // rows of 768 fit
    #expect(byName["output.weight"]?.type == .q8_0 && byName["output.weight"]?.note == nil)
    #expect(LlamaQuantizeRules.fallback(for: .q5_k, rowLength: 96) == .q5_1)
    #expect(LlamaQuantizeRules.fallback(for: .q3_k, rowLength: 100) == .f16)
    #expect(LlamaQuantizeRules.fallback(for: .q4_0, rowLength: 100) == .f16)
  }

  @Test func presetNamesAndFileTypes() {
    #expect(LlamaFileType(preset: "Q4_K_M") == .q4_k_m)
    #expect(LlamaFileType(preset: "q4_k")?.rawValue == 15)
    #expect(LlamaFileType(preset: "q8_0")?.defaultType == .q8_0)
    #expect(LlamaFileType.q5_k_s.name == "Q5_K_S")
    #expect(LlamaFileType(preset: "q7_k") == nil)
  }
}

@Suite struct GGUFQuantizePlanTests {
  @Test func sampleQ4KMPlanExplainsFallbacks() throws {
    let model = try GGUFFormat.open(path: GGUFSampleTests.samplePath)
    let (requests, notes) = LlamaQuantizeRules.plan(for: model, options: LlamaQuantizeOptions(fileType: .q4_k_m))
    let byName = Dictionary(uniqueKeysWithValues: requests.map { (model.tensors[$0.tensorIndex].name, $0.encoding) })
    #expect(byName["blk.0.attn_q.weight"] == .blocks(.q5_0))
    #expect(byName["blk.1.ffn_down.weight"] == .blocks(.q6_k))
    #expect(byName["token_embd.weight"] == .blocks(.q8_0))  // tied embeddings take the output rule
    #expect(byName["position_embd.weight"] == nil && byName["blk.0.attn_q.bias"] == nil)
    #expect(notes.contains("blk.0.attn_q.weight: row length 384 is not a multiple of Q4_K's block size 256; falling back to Q5_0"))
    #expect(notes.last?.hasSuffix("fell back to another type because their rows do not fill whole blocks") == true)
    let f16 = LlamaQuantizeRules.plan(for: model, options: LlamaQuantizeOptions(fileType: .mostlyF16))
    #expect(f16.requests.allSatisfy { $0.encoding == .float16 } && f16.notes.isEmpty)
  }
}

import Foundation
import QuantEngine
import TensorCore
import Testing
@testable import Workflows

@Suite struct AutoGroupingTests {
  static let gguf = [
    "token_embd.weight", "blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight", "blk.0.attn_output.weight",
    "blk.0.ffn_gate.weight", "blk.0.ffn_up.weight", "blk.0.ffn_down.weight",
    "blk.1.attn_q.weight", "blk.1.attn_k.weight", "blk.1.attn_v.weight",
    "blk.2.attn_q.weight",  // alone: nothing to group with
  ]
  static let hf = [
    "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.weight",
    "model.layers.0.self_attn.v_proj.weight", "model.layers.0.self_attn.o_proj.weight",
    "model.layers.0.mlp.gate_proj.weight", "model.layers.0.mlp.up_proj.weight", "model.layers.0.mlp.down_proj.weight",
    "encoder.layer.3.attention.self.query.weight", "encoder.layer.3.attention.self.key.weight",
    "encoder.layer.3.attention.self.value.weight", "encoder.layer.3.attention.output.dense.weight",
  ]

  @Test func qkvFindsEachBlockInBothNamings() throws {
    let gguf = try AutoGrouping.groups(modes: [.qkv], names: Self.gguf, targetFormat: .gguf)
    #expect(gguf == [["blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight"],
                     ["blk.1.attn_q.weight", "blk.1.attn_k.weight", "blk.1.attn_v.weight"]])
    let hf = try AutoGrouping.groups(modes: [.qkv], names: Self.hf, targetFormat: .safetensors)
    #expect(hf == [["model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.weight",
                    "model.layers.0.self_attn.v_proj.weight"],
                   ["encoder.layer.3.attention.self.query.weight", "encoder.layer.3.attention.self.key.weight",
                    "encoder.layer.3.attention.self.value.weight"]])
  }

  @Test func fusedAddsGateAndUp() throws {
    let groups = try AutoGrouping.groups(modes: [.fused], names: Self.gguf + Self.hf, targetFormat: .gguf)
    #expect(groups.contains(["blk.0.ffn_gate.weight", "blk.0.ffn_up.weight"]))
    #expect(groups.contains(["model.layers.0.mlp.gate_proj.weight", "model.layers.0.mlp.up_proj.weight"]))
    #expect(groups.count == 6)
    #expect(!groups.joined().contains { $0.contains("down") || $0.contains("output") || $0.contains("o_proj") })
  }

  @Test func automaticGroupsOnlyWhereTheLoaderFuses() throws {
    let names = Self.gguf + Self.hf
    #expect(try AutoGrouping.groups(modes: [.automatic], names: names, targetFormat: .safetensors)
      == AutoGrouping.groups(modes: [.fused], names: names, targetFormat: .safetensors))
    #expect(try AutoGrouping.groups(modes: [.automatic], names: names, targetFormat: .gguf).isEmpty)
    #expect(try AutoGrouping.groups(modes: [.automatic], names: names, targetFormat: .tflite).isEmpty)
    #expect(try AutoGrouping.groups(modes: [.none], names: names, targetFormat: .safetensors).isEmpty)
  }

  @Test func argumentsAndOverlappingPatternsMerge() throws {
    #expect(AutoGrouping.Mode(argument: "AUTO") == .automatic && AutoGrouping.Mode(argument: "none") == .none)
    #expect(AutoGrouping.Mode(argument: "qkv") == .qkv && AutoGrouping.Mode(argument: "fused") == .fused)
    #expect(AutoGrouping.Mode(argument: #"blk\.(\d+)\.attn_(q|output)"#) == .pattern(#"blk\.(\d+)\.attn_(q|output)"#))
    // q/k/v of block 0 and a pattern pairing attn_output with attn_q of the same block: one group.
    let groups = try AutoGrouping.groups(
      modes: [.qkv, .pattern(#"blk\.(\d+)\.attn_(?:q|output)\."#)], names: Self.gguf, targetFormat: .gguf)
    #expect(groups.first.map(Set.init) == ["blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight",
                                           "blk.0.attn_output.weight"])
    #expect(groups.count == 2)
    #expect(throws: WorkflowError.self) { try AutoGrouping.groups(modes: [.pattern("(")], names: Self.gguf, targetFormat: .gguf) }
  }

  @Test func theSolverKeepsGroupedProjectionsTogether() throws {
    // The fixture's attn_k has outliers, so alone it wants more bits than q and v.
    let (model, format) = try AutopilotFixture.model()
    let table = try Sensitivity.dataFree(model, format: format, options: .init(schemes: [.f16, .int8, .int4]))
    let names = table.tensors.map(\.name)
    let free = try AutoPlanner(table: table)
    let grouped = try AutoPlanner(table: table, constraints: AutoConstraints(
      groups: AutoGrouping.groups(modes: [.automatic], names: names, targetFormat: table.targetFormat)))
    let qkv = ["blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight"]
    func split(_ planner: AutoPlanner, _ k: Int) -> Bool {
      let assignment = planner.assignment(atPoint: k)
      return Set(qkv.map { assignment[$0] ?? nil }).count > 1
    }
    #expect(table.targetFormat == .safetensors)
    #expect((0..<free.pointCount).contains { split(free, $0) }, "the free solver splits q/k/v somewhere")
    #expect(!(0..<grouped.pointCount).contains { split(grouped, $0) })
    #expect(grouped.pointCount > 2)
  }
}

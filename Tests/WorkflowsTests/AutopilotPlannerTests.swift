import Foundation
import ModelFormats
import QuantEngine
import TensorCore
import TestSupport
import Testing
@testable import Workflows

/// A small safetensors file of float32 tensors, written byte by byte.
enum AutopilotFixture {
  static func safetensors(_ tensors: [(String, [Int], [Float])]) throws -> String {
    let path = NSTemporaryDirectory() + "qscope-auto-\(UUID().uuidString).safetensors"
    try Float32Safetensors.write(tensors, to: path)
    return path
  }

  /// Weights with a few heavy outliers in the first input column of every row.
  static func values(_ count: Int, row: Int, seed: Float, outliers: Bool = false) -> [Float] {
    (0..<count).map { i in
      let base = sin(Float(i) * 0.37 + seed) * 0.5 + cos(Float(i) * 1.9 + seed) * 0.2
      return outliers && i % row == 0 ? base * 12 : base
    }
  }

  static func model() throws -> (Model, any ModelFormat.Type) {
    let path = try safetensors([
      ("blk.0.attn_q.weight", [64, 128], values(64 * 128, row: 128, seed: 0.1)),
      ("blk.0.attn_k.weight", [64, 128], values(64 * 128, row: 128, seed: 0.7, outliers: true)),
      ("blk.0.attn_v.weight", [64, 128], values(64 * 128, row: 128, seed: 1.3)),
      ("blk.0.ffn.weight", [128, 64], values(128 * 64, row: 64, seed: 2.1)),
      ("blk.0.norm.weight", [64], [Float](repeating: 1, count: 64)),
      ("out.weight", [32, 64], values(32 * 64, row: 64, seed: 3.3, outliers: true)),
    ])
    let opened = try ModelOpener.open(path: path)
    return (opened.model, opened.format)
  }
}

@Suite struct AutopilotPlannerTests {
  @Test("sensitivity: keep costs nothing, fewer bits cost more error, signal is Σx²")
  func sensitivityOrdering() throws {
    let (model, format) = try AutopilotFixture.model()
    let table = try Sensitivity.dataFree(model, format: format, options: .init(schemes: [.f16, .int8, .int4]))
    #expect(table.kind == .weightNoise)
    #expect(table.tensors.count == 5, "norm weights are not quantizable")
    for row in table.tensors {
      let keep = try #require(row.cost(of: nil)), f16 = try #require(row.cost(of: .f16))
      let int8 = try #require(row.cost(of: .int8)), int4 = try #require(row.cost(of: .int4))
      #expect(keep.error == 0 && keep.bytes == row.originalBytes)
      #expect(f16.error < int8.error && int8.error < int4.error, "\(row.name)")
      #expect(f16.bytes > int8.bytes && int8.bytes > int4.bytes)
      let index = try #require(model.tensorIndex(named: row.name))
      let x = try TensorValues.decode(model.tensors[index], file: model.path)
      let energy = x.reduce(0.0) { $0 + Double($1) * Double($1) }
      #expect(abs(row.signal - energy) <= 1e-4 * energy)
      let inspected = Inspector.report(for: model.tensors[index], in: model, options: .init(scheme: .int8))
      let sqnr = try #require(inspected.quant?.metrics?.sqnrDB)
      #expect(abs((row.sqnrDB(of: .int8) ?? 0) - sqnr) < 0.01, "same definition as inspect")
    }
  }

  @Test("importance: a flat vector changes nothing, a peaked one weights its column")
  func importanceWeighting() throws {
    let (model, format) = try AutopilotFixture.model()
    let name = "blk.0.attn_k.weight"
    let plain = try Sensitivity.dataFree(model, format: format, options: .init(schemes: [.int4]))
    let flat = try Sensitivity.dataFree(
      model, format: format, options: .init(schemes: [.int4], importance: [name: [Float](repeating: 3, count: 128)]))
    var peaked = [Float](repeating: 0.01, count: 128)
    peaked[5] = 50
    let weighted = try Sensitivity.dataFree(model, format: format, options: .init(schemes: [.int4], importance: [name: peaked]))
    #expect(flat.kind == .importanceWeighted)
    let p = try #require(plain.entry(named: name)?.cost(of: .int4)?.error)
    let f = try #require(flat.entry(named: name)?.cost(of: .int4)?.error)
    let w = try #require(weighted.entry(named: name)?.cost(of: .int4)?.error)
    #expect(abs(p - f) <= 1e-4 * p)
    #expect(abs(w - p) > 1e-2 * p)
    // Untouched tensors keep their unweighted error.
    #expect(plain.entry(named: "out.weight")?.cost(of: .int4) == weighted.entry(named: "out.weight")?.cost(of: .int4))
  }

  @Test("groups share one scheme and pins hold at every frontier point and in solutions")
  func groupsAndPins() throws {
    let (model, format) = try AutopilotFixture.model()
    let table = try Sensitivity.dataFree(model, format: format, options: .init(schemes: [.f16, .int8, .int4]))
    let groups = try AutoGrouping.groups(pattern: #"blk\.(\d+)\.attn_[qkv]\.weight"#, names: table.tensors.map(\.name))
    #expect(groups == [["blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight"]])
    let planner = try AutoPlanner(
      table: table, constraints: AutoConstraints(pinned: ["out.weight": .scheme(.int8)], groups: groups))
    for k in 0..<planner.pointCount {
      let a = planner.assignment(atPoint: k)
      #expect(a["blk.0.attn_q.weight"] == a["blk.0.attn_k.weight"] && a["blk.0.attn_k.weight"] == a["blk.0.attn_v.weight"])
      #expect(a["out.weight"] == .some(.int8))
    }
    for bpw in [5.0, 6.0, 9.0, 20.0] {
      let s = try planner.solve(.bitsPerWeight(bpw))
      #expect(s.point.bitsPerWeight <= bpw)
      #expect(s.plan.tensors["out.weight"] == .int8)
    }
    // The int8 pin keeps the smallest plan above 4.5 bpw even though int4 is a candidate.
    #expect(planner.point(0).bitsPerWeight > 4.5)
    #expect(throws: AutopilotError.self) { try planner.solve(.bitsPerWeight(4.5)) }
    #expect(throws: AutopilotError.self) {
      try AutoPlanner(table: table, constraints: AutoConstraints(pinned: ["blk.0.attn_q.weight": .keep, "blk.0.attn_v.weight": .scheme(.int4)], groups: groups))
    }
  }

  @Test("a solved plan's size is what QuantizeJob estimates, and impossible targets name the closest point")
  func planMatchesJobAndImpossibleTargets() throws {
    let (model, format) = try AutopilotFixture.model()
    let table = try Sensitivity.dataFree(model, format: format, options: .init(schemes: [.f16, .int8, .int4G32, .int4]))
    let planner = try AutoPlanner(table: table)
    for pct in [20.0, 35.0, 50.0, 80.0] {
      let s = try planner.solve(.percentOfInput(pct))
      let job = QuantizeJob(model: model, format: format, plan: s.plan)
      #expect(job.problems.isEmpty)
      #expect(job.estimatedFileBytes == s.point.fileBytes)
      #expect(Double(s.point.fileBytes) <= Double(model.fileBytes) * pct / 100)
      // No uniform scheme that fits has less estimated error.
      for scheme in table.schemes where Double(planner.uniform(scheme).fileBytes) <= Double(model.fileBytes) * pct / 100 {
        #expect(planner.uniform(scheme).error >= s.point.error - 1e-12)
      }
    }
    let smallest = planner.point(0)
    let error = #expect(throws: AutopilotError.self) { try planner.solve(.fileBytes(smallest.fileBytes - 1)) }
    let message = error?.description ?? ""
    #expect(message.contains("size") && message.contains(Format.bytes(smallest.fileBytes)), "\(message)")
    let negative = #expect(throws: AutopilotError.self) { try planner.solve(.maxError(-1)) }
    #expect(negative?.description.contains("most accurate") == true)
  }

  @Test("llama-quantize export: anchored, escaped names with ggml spellings; kept tensors keep their type")
  func llamaQuantizeExport() throws {
    let kept: Scheme? = nil
    let assignment: [String: Scheme?] = ["blk.0.attn_v.weight": .q6_k, "blk.0.ffn_up.weight": .q4_0, "output.weight": kept]
    let text = try AutoExport.llamaQuantizeTypes(assignment, storedTypes: ["output.weight": .f16])
    #expect(text == "^blk\\.0\\.attn_v\\.weight$=q6_K\n^blk\\.0\\.ffn_up\\.weight$=q4_0\n^output\\.weight$=f16\n")
    #expect(throws: WorkflowError.self) { try AutoExport.llamaQuantizeTypes(["a": .some(.int8)], storedTypes: [:]) }
    #expect(AutoTarget.parseSize("30%") == .percentOfInput(30))
    #expect(AutoTarget.parseSize("1.5M") == .fileBytes(1_572_864))
    #expect(AutoTarget.parseSize("12k") == .fileBytes(12_288))
    #expect(AutoTarget.parseSize("-3") == nil && AutoTarget.parseSize("abc") == nil && AutoTarget.parseSize("0%") == nil)
  }
}
